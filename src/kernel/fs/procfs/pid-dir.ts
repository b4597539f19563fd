// /proc/<pid>: one process's directory (fs/proc/base.c): cmdline, comm, cwd, exe, fd/, stat,
// status, root, mounts, mountinfo. Nodes are made per lookup with inode numbers derived from the
// pid, so that the same file always has the same number; they read the process when used and
// fail once it has been reaped (ENOENT for lookups, ESRCH for reads, as Linux).
import { fail } from '../../errno.js';
import type { Kernel } from '../../kernel.js';
import type { Process } from '../../process/process.js';
import { InodeFile, type FileDescription } from '../file.js';
import { InodeBase, type FileType, type Inode, type Stat } from '../inode.js';
import { O_ACCMODE, O_RDONLY, O_WRONLY } from '../flags.js';
import { pathString, type PathStack } from '../vfs.js';
import { FixedDir, GeneratedFile, MagicLink, SyntheticDir, SyntheticFs } from '../synthetic.js';
import { cmdline, comm, mountinfo, mounts, pidStat, pidStatus } from './text.js';

/** Inode numbers: static /proc entries are small; each pid owns a block of 2^16 above PID_INO. */
const PID_INO = 1 << 20;
const FD_SLOT = 256;
const pidIno = (pid: number, slot: number) => PID_INO + pid * 0x10000 + slot;

/** The process `pid` if it is still in the kernel's table, else the errno a stale node gives. */
function live(k: Kernel, p: Process, errno: 'ENOENT' | 'ESRCH'): Process {
  return k.processes.get(p.pid) === p ? p : fail(errno, `pid ${p.pid} is gone`);
}

export class PidDir extends SyntheticDir {
  constructor(fs: SyntheticFs, private readonly kernel: Kernel, private readonly proc: Process) {
    super(fs, pidIno(proc.pid, 0));
  }

  protected async children(): Promise<[string, Inode][]> {
    const k = this.kernel, p = live(k, this.proc, 'ENOENT'), fs = this.fs;
    const text = (slot: number, gen: (p: Process) => string | Uint8Array) =>
      new GeneratedFile(fs, pidIno(p.pid, slot), () => gen(live(k, p, 'ESRCH')));
    const root = async () => k.vfs.rootStack;
    return [
      ['cmdline', text(1, cmdline)],
      ['comm', text(2, (q) => `${comm(q)}\n`)],
      ['cwd', new MagicLink(fs, pidIno(p.pid, 3), () => pathString(live(k, p, 'ENOENT').cwd), async () => live(k, p, 'ENOENT').cwd)],
      ['exe', new MagicLink(fs, pidIno(p.pid, 4), () => exePath(p), async (caller) => k.vfs.walk(k.vfs.rootStack, exePath(live(k, p, 'ENOENT')), true, caller))],
      ['fd', new FdDir(fs, k, p)],
      ['mountinfo', text(6, () => mountinfo(k))],
      ['mounts', text(7, () => mounts(k))],
      ['root', new MagicLink(fs, pidIno(p.pid, 8), () => '/', root)],
      ['stat', text(9, (q) => pidStat(k, q))],
      ['status', text(10, (q) => pidStatus(q))],
    ];
  }
}

/** The executable's absolute path (exe is the path it was started by; relative ones are cwd-based). */
function exePath(p: Process): string {
  if (p.exe.startsWith('/')) return p.exe;
  const cwd = pathString(p.cwd);
  return `${cwd === '/' ? '' : cwd}/${p.exe.replace(/^\.\//, '')}`;
}

/** /proc/<pid>/fd: one magic link per open descriptor. */
class FdDir extends SyntheticDir {
  constructor(fs: SyntheticFs, private readonly kernel: Kernel, private readonly proc: Process) {
    super(fs, pidIno(proc.pid, 5), 0o500);
  }

  protected async children(): Promise<[string, Inode][]> {
    const k = this.kernel, p = live(k, this.proc, 'ENOENT'), out: [string, Inode][] = [];
    for (let fd = 0; fd < p.fds.limit; fd++) {
      if (!p.fds.has(fd)) continue;
      const link = new MagicLink(this.fs, pidIno(p.pid, FD_SLOT + fd),
        () => describe(this.file(fd)),
        async () => locate(k, this.file(fd)));
      out.push([String(fd), link]);
    }
    return out;
  }

  private file(fd: number): FileDescription { return live(this.kernel, this.proc, 'ENOENT').fds.get(fd); }
}

/** What readlink of /proc/<pid>/fd/N shows: the path, or Linux's `pipe:[ino]` / `socket:[ino]`. */
async function describe(f: FileDescription): Promise<string> {
  if (f instanceof InodeFile) return pathString(f.location);
  if (f.path) return f.path;
  return `${f.kind}:[${(await f.stat()).ino}]`;
}

/** Where following /proc/<pid>/fd/N leads: the file's location, or a node that reopens the description. */
async function locate(k: Kernel, f: FileDescription): Promise<PathStack> {
  if (f instanceof InodeFile) return f.location;
  return [...k.vfs.rootStack, { inode: new OpenFileNode(anonFs(k), f), name: await describe(f) }];
}

const KIND_TYPES: Record<string, FileType> = { pipe: 'fifo', socket: 'socket', stdio: 'chardev', eventfd: 'file' };

/**
 * The object behind a magic fd link that is not in any directory (a pipe, the host's stdio):
 * opening it gives the same description again. Linux opens a new description of the same
 * inode; sharing it differs only in the shared offset and status flags, which pipes and
 * terminals do not use. Anonymous inodes (eventfd) cannot be reopened (ENXIO, as Linux).
 */
class OpenFileNode extends InodeBase {
  /** Not in any directory, never a mountpoint: stat() gives the description's own inode number. */
  readonly ino = 0;
  readonly type: FileType;
  constructor(readonly fs: SyntheticFs, private readonly file: FileDescription) {
    super();
    this.type = file.kind in KIND_TYPES ? KIND_TYPES[file.kind]! : 'file';
  }

  stat(): Promise<Stat> { return this.file.stat(); }

  async openFile(flags: number): Promise<FileDescription> {
    if (this.file.kind === 'eventfd') fail('ENXIO', 'anonymous inodes cannot be reopened');
    const acc = flags & O_ACCMODE;
    if ((acc !== O_WRONLY && !this.file.readable) || (acc !== O_RDONLY && !this.file.writable)) fail('EACCES', 'the description is not open that way');
    return this.file.ref();
  }
}

/** The file system the nodes of open descriptions claim (Linux: pipefs, anon_inodefs); writable. */
const anonFileSystems = new WeakMap<Kernel, SyntheticFs>();
function anonFs(k: Kernel): SyntheticFs {
  let fs = anonFileSystems.get(k);
  if (!fs) {
    fs = new SyntheticFs('anon_inodefs', () => k.host.clock.realtimeNs(), (f) => new FixedDir(f, []));
    anonFileSystems.set(k, fs);
  }
  return fs;
}
