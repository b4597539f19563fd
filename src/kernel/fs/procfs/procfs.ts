// procfs (Linux's fs/proc, man 5 proc): the kernel's process table and state as files. The root
// lists the system-wide files, `self` (a symlink to the caller's pid: the one node that needs
// the FsCaller) and one directory per process in the table (zombies included, as Linux).
import type { Kernel } from '../../kernel.js';
import type { FsCaller, Inode } from '../inode.js';
import { fail } from '../../errno.js';
import { GeneratedFile, SyntheticDir, SyntheticFs, SyntheticLink } from '../synthetic.js';
import { PidDir } from './pid-dir.js';
import { cpuinfo, kernelStat, meminfo, uptime } from './text.js';

export class ProcFs extends SyntheticFs {
  constructor(kernel: Kernel) {
    super('proc', () => kernel.host.clock.realtimeNs(), (fs) => new ProcRoot(fs, kernel), 'ENOENT');
  }
}

class ProcRoot extends SyntheticDir {
  private readonly fixed: [string, Inode][];

  constructor(fs: SyntheticFs, private readonly kernel: Kernel) {
    super(fs, fs.allocIno());
    const k = kernel;
    this.fixed = [
      ['cpuinfo', new GeneratedFile(fs, fs.allocIno(), cpuinfo)],
      ['meminfo', new GeneratedFile(fs, fs.allocIno(), () => meminfo(k))],
      ['mounts', new SyntheticLink(fs, fs.allocIno(), () => 'self/mounts')],
      ['self', new SyntheticLink(fs, fs.allocIno(), selfTarget)],
      ['stat', new GeneratedFile(fs, fs.allocIno(), () => kernelStat(k))],
      ['uptime', new GeneratedFile(fs, fs.allocIno(), () => uptime(k))],
    ];
  }

  protected async children(): Promise<[string, Inode][]> {
    const pids = [...this.kernel.processes.values()].sort((a, b) => a.pid - b.pid);
    return [...this.fixed, ...pids.map((p): [string, Inode] => [String(p.pid), new PidDir(this.fs, this.kernel, p)])];
  }

  override async lookup(name: string): Promise<Inode> {
    if (/^[1-9][0-9]*$/.test(name)) {
      const p = this.kernel.processes.get(Number(name));
      return p ? new PidDir(this.fs, this.kernel, p) : fail('ENOENT');
    }
    return this.fixed.find(([n]) => n === name)?.[1] ?? fail('ENOENT');
  }
}

/** /proc/self: the caller's pid; a walk on the kernel's own behalf has no self (ENOENT, as Linux). */
function selfTarget(caller?: FsCaller): string {
  return caller ? String(caller.pid) : fail('ENOENT', '/proc/self outside a process');
}
