// hostfs: a host directory passed through (untrusted, unprotected; Occlum mounts the instance
// dir at /host by default). Confinement: the VFS resolves every symlink and '..' itself, in the
// LibOS namespace; hostfs only ever asks the host about single names below directories it has
// verified, and re-checks with realpath that no component of a host path became a symlink
// (a program could swap a directory for a symlink between lookup and use).
import { fail, SysError, type ErrnoName, Errno } from '../errno.js';
import { HostError, type HostFs, type HostStat } from '../../host/types.js';
import {
  InodeBase, allocDev, nullHandle, fileTypeOf,
  type DirEntry, type FileSystem, type FileType, type Inode, type InodeHandle, type SetAttr, type Stat,
} from './inode.js';
import { O_ACCMODE, O_APPEND, O_WRONLY, O_RDWR } from './flags.js';
import type { StatFs } from './statfs.js';

function hostErrno(e: unknown): never {
  if (e instanceof HostError) {
    const code = (e.code in Errno ? e.code : 'EIO') as ErrnoName;
    throw new SysError(code, `host: ${e.message}`);
  }
  throw e;
}

export class HostFsMount implements FileSystem {
  readonly type = 'hostfs';
  readonly dev = allocDev();
  readonly root: HostInode;

  /** `rootPath` must be an absolute, symlink-free host path (the caller realpaths it). */
  constructor(readonly host: HostFs, readonly rootPath: string, readonly realpath: (p: string) => string, readonly readonly = false) {
    const st = this.call(() => host.lstat(rootPath));
    if (!st.isDirectory) fail('ENOTDIR', `hostfs source ${rootPath} is not a directory`);
    this.root = new HostInode(this, '', st);
  }

  hostPath(rel: string): string {
    return rel === '' ? this.rootPath : `${this.rootPath}/${rel}`;
  }

  /** Host path of a directory we are about to operate in, verified symlink-free. */
  verifiedDir(rel: string): string {
    const p = this.hostPath(rel);
    let real: string;
    try { real = this.realpath(p); } catch (e) { return hostErrno(e); }
    if (real !== p) fail('EACCES', `hostfs: ${p} resolves outside its verified path`);
    return p;
  }

  /** statfs(2): the host's numbers, where the host can tell (statfs.ts fills in the rest). */
  async statfs(): Promise<Partial<StatFs>> {
    const st = this.host.statfs ? this.call(() => this.host.statfs!(this.rootPath)) : undefined;
    return st ? { ...st, frsize: st.bsize } : {};
  }

  call<T>(f: () => T): T {
    try { return f(); } catch (e) { return hostErrno(e); }
  }
}

/** The largest file offset node:fs accepts (Number.MAX_SAFE_INTEGER). */
const HOST_MAX_OFFSET = Number.MAX_SAFE_INTEGER;

function join(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

/** The relative path of the directory containing `rel` ('' for the root's children). */
function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export class HostInode extends InodeBase {
  readonly ino: number;
  readonly type: FileType;

  constructor(readonly fs: HostFsMount, readonly rel: string, st: HostStat) {
    super();
    this.ino = st.ino;
    this.type = fileTypeOf(st.mode);
  }

  private get host(): HostFs { return this.fs.host; }
  private ro(): void { if (this.fs.readonly) fail('EROFS'); }
  private child(name: string): string { return `${this.fs.verifiedDir(this.rel)}/${name}`; }

  async stat(): Promise<Stat> {
    const st = this.fs.call(() => this.host.lstat(this.fs.hostPath(this.rel)));
    return {
      dev: this.fs.dev, ino: st.ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid, rdev: 0,
      size: st.size, blksize: 4096, blocks: st.blocks, atimeNs: st.atimeNs, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs,
    };
  }

  override async setattr(a: SetAttr): Promise<void> {
    this.ro();
    const p = this.fs.hostPath(this.rel);
    this.fs.verifiedDir(parentOf(this.rel));
    if (a.size !== undefined) {
      if (this.type !== 'file') fail(this.type === 'dir' ? 'EISDIR' : 'EINVAL');
      if (a.size > HOST_MAX_OFFSET) fail('EFBIG', `size ${a.size} is beyond what the host API can address`);
      const fd = this.fs.call(() => this.host.open(p, this.host.constants.O_WRONLY, 0));
      try { this.fs.call(() => this.host.ftruncate(fd, a.size!)); } finally { this.host.close(fd); }
    }
    if (a.mode !== undefined && this.type !== 'symlink') this.fs.call(() => this.host.chmod(p, a.mode! & 0o7777));
    if (a.atimeNs !== undefined || a.mtimeNs !== undefined) {
      // node:fs takes seconds as a double: about 0.1 µs of precision at today's epoch.
      const st = this.fs.call(() => this.host.lstat(p));
      const at = Number(a.atimeNs ?? st.atimeNs) / 1e9, mt = Number(a.mtimeNs ?? st.mtimeNs) / 1e9;
      this.fs.call(() => this.host.utimes(p, at, mt));
    }
  }

  override async lookup(name: string): Promise<Inode> {
    if (this.type !== 'dir') fail('ENOTDIR');
    const st = this.fs.call(() => this.host.lstat(this.child(name)));
    return new HostInode(this.fs, join(this.rel, name), st);
  }

  override async create(name: string, type: 'file' | 'dir' | 'fifo', mode: number): Promise<Inode> {
    this.ro();
    const p = this.child(name);
    const c = this.host.constants;
    if (type === 'dir') this.fs.call(() => this.host.mkdir(p, mode & 0o7777));
    else if (type === 'file') this.fs.call(() => this.host.close(this.host.open(p, c.O_CREAT | c.O_EXCL | c.O_WRONLY, mode & 0o7777)));
    else fail('EPERM', 'hostfs cannot create FIFOs');
    return new HostInode(this.fs, join(this.rel, name), this.fs.call(() => this.host.lstat(p)));
  }

  override async symlink(name: string, target: string): Promise<Inode> {
    this.ro();
    const p = this.child(name);
    this.fs.call(() => this.host.symlink(target, p));
    return new HostInode(this.fs, join(this.rel, name), this.fs.call(() => this.host.lstat(p)));
  }

  override async link(name: string, target: Inode): Promise<void> {
    this.ro();
    if (!(target instanceof HostInode) || target.fs !== this.fs) fail('EXDEV');
    const src = target.fs.hostPath(target.rel);
    const parent = parentOf(target.rel);
    this.fs.verifiedDir(parent);
    this.fs.call(() => this.host.link(src, this.child(name)));
  }

  override async unlink(name: string): Promise<void> {
    this.ro();
    const p = this.child(name);
    const st = this.fs.call(() => this.host.lstat(p));
    if (st.isDirectory) fail('EISDIR');
    this.fs.call(() => this.host.unlink(p));
  }

  override async rmdir(name: string): Promise<void> {
    this.ro();
    this.fs.call(() => this.host.rmdir(this.child(name)));
  }

  override async rename(oldName: string, newDir: Inode, newName: string): Promise<void> {
    this.ro();
    if (!(newDir instanceof HostInode) || newDir.fs !== this.fs) fail('EXDEV');
    const from = this.child(oldName), to = newDir.child(newName);
    this.fs.call(() => this.host.rename(from, to));
  }

  override async readdir(): Promise<DirEntry[]> {
    const dir = this.fs.verifiedDir(this.rel);
    const names = this.fs.call(() => this.host.readdir(dir));
    const out: DirEntry[] = [];
    for (const name of names) {
      try {
        const st = this.host.lstat(`${dir}/${name}`);
        out.push({ name, ino: st.ino, type: fileTypeOf(st.mode) });
      } catch { /* vanished meanwhile */ }
    }
    return out;
  }

  override async readlink(): Promise<string> {
    if (this.type !== 'symlink') fail('EINVAL');
    return this.fs.call(() => this.host.readlink(this.fs.hostPath(this.rel)));
  }

  override async open(flags: number): Promise<InodeHandle> {
    if (this.type === 'dir') return nullHandle('EISDIR');
    if (this.type !== 'file') fail('ENXIO', 'hostfs passes through regular files only');
    const c = this.host.constants;
    const acc = flags & O_ACCMODE;
    if (acc !== 0) this.ro();
    let hflags = acc === O_WRONLY ? c.O_WRONLY : acc === O_RDWR ? c.O_RDWR : c.O_RDONLY;
    if (flags & O_APPEND) hflags |= c.O_APPEND;
    const parent = parentOf(this.rel);
    this.fs.verifiedDir(parent);
    const fd = this.fs.call(() => this.host.open(this.fs.hostPath(this.rel), hflags, 0));
    const host = this.host;
    return {
      // Offsets past 2^53 cannot reach node:fs (it throws a RangeError, which was EIO): reads
      // there are at end of file, writes exceed the maximum file size (Linux: EFBIG).
      read: async (offset, buf) => (offset >= HOST_MAX_OFFSET ? 0
        : this.fs.call(() => host.read(fd, buf.subarray(0, Math.min(buf.length, HOST_MAX_OFFSET - offset)), offset))),
      write: async (offset, data) => {
        if (offset + data.length > HOST_MAX_OFFSET) fail('EFBIG', `offset ${offset} is beyond what the host API can address`);
        return this.fs.call(() => host.write(fd, data, offset));
      },
      sync: async (dataOnly) => this.fs.call(() => (dataOnly ? host.fdatasync(fd) : host.fsync(fd))),
      close: async () => { try { host.close(fd); } catch { /* already gone */ } },
    };
  }
}
