// A process's file descriptor table: lowest free slot first (POSIX), per-fd close-on-exec.
import { fail } from '../errno.js';
import type { FileDescription } from './file.js';

interface Slot { file: FileDescription; cloexec: boolean }

export class FdTable {
  private slots: (Slot | undefined)[] = [];
  constructor(public limit = 1024) {}

  get(fd: number): FileDescription {
    const s = Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
    return s ? s.file : fail('EBADF');
  }

  has(fd: number): boolean { return this.slots[fd] !== undefined; }

  cloexec(fd: number): boolean { this.get(fd); return this.slots[fd]!.cloexec; }
  setCloexec(fd: number, on: boolean): void { this.get(fd); this.slots[fd]!.cloexec = on; }

  /** Installs `file` at the lowest free fd >= min (takes over the caller's reference). */
  alloc(file: FileDescription, cloexec = false, min = 0): number {
    for (let fd = min; fd < this.limit; fd++) {
      if (!this.slots[fd]) { this.slots[fd] = { file, cloexec }; return fd; }
    }
    void file.unref();
    return fail('EMFILE');
  }

  /** dup2 semantics: installs at exactly `fd`, closing what was there. */
  async install(fd: number, file: FileDescription, cloexec = false): Promise<void> {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.limit) { void file.unref(); fail('EBADF'); }
    const old = this.slots[fd];
    this.slots[fd] = { file, cloexec };
    if (old) { old.file.closedBy(this); await old.file.unref(); }
  }

  async close(fd: number): Promise<void> {
    const s = Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
    if (!s) fail('EBADF');
    this.slots[fd] = undefined;
    // POSIX record locks belong to the fd table (Linux: current->files): any close drops them.
    s.file.closedBy(this);
    await s.file.unref();
  }

  /** Moves `from` onto `to` (WASI fd_renumber). */
  async renumber(from: number, to: number): Promise<void> {
    const f = this.get(from);
    this.get(to);
    if (from === to) return;
    await this.install(to, f.ref(), this.slots[from]!.cloexec);
    await this.close(from);
  }

  /** A copy for a child process (each entry gains a reference). */
  fork(): FdTable {
    const t = new FdTable(this.limit);
    t.slots = this.slots.map((s) => (s ? { file: s.file.ref(), cloexec: s.cloexec } : undefined));
    return t;
  }

  async closeOnExec(): Promise<void> {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.cloexec) await this.close(fd);
  }

  async closeAll(): Promise<void> {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]) await this.close(fd);
  }

  /** The open file descriptions (one entry per fd). */
  files(): FileDescription[] { return this.slots.flatMap((s) => (s ? [s.file] : [])); }

  count(): number { return this.slots.filter(Boolean).length; }
}
