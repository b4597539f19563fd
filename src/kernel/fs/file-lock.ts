// Advisory file locks, per inode, as Linux's fs/locks.c:
//  - flock(2) locks belong to an open file description: dups and children share them, another
//    open() of the same file conflicts, the last close of the description releases them;
//  - POSIX record locks (fcntl F_SETLK/F_SETLKW/F_GETLK) belong to a process (Linux's owner is
//    the fd table, `current->files`): byte ranges that split and merge, never conflict with the
//    owner's own locks, and are all dropped when the owner closes ANY fd of the file or exits.
// The two kinds do not interact. Blocked requests wait on the inode's queue and re-check after
// every release; a POSIX request that would close a wait-for cycle fails with EDEADLK.
// State lives in the kernel thread only.
import { fail } from '../errno.js';
import type { Inode } from './inode.js';
import { WaitQueue, waitUntil, type Interruptible } from '../process/wait-queue.js';

export type LockType = 'read' | 'write';

/** A POSIX lock: [start, end) with end = Infinity for "to end of file, however it grows". */
export interface RangeLock { readonly owner: object; readonly pid: number; readonly type: LockType; readonly start: number; readonly end: number }

/** What F_GETLK reports: the first conflicting lock, or undefined (F_UNLCK). */
export type LockConflict = RangeLock | undefined;

class InodeLocks {
  posix: RangeLock[] = [];
  readonly flocks = new Map<object, LockType>();
  readonly queue = new WaitQueue();
  get idle(): boolean { return this.posix.length === 0 && this.flocks.size === 0 && this.queue.size === 0; }
}

const conflicts = (a: LockType, b: LockType): boolean => a === 'write' || b === 'write';
const overlaps = (l: RangeLock, start: number, end: number): boolean => l.start < end && start < l.end;

/** The file-lock table of one kernel. Inodes are keyed by (dev, ino): a file system may hand out several Inode objects for one file. */
export class FileLocks {
  private readonly byInode = new Map<string, InodeLocks>();
  /** POSIX owner -> the owner whose lock it waits for (deadlock detection). */
  private readonly waitsFor = new Map<object, object>();

  private key(i: Inode): string { return `${i.fs.dev}:${i.ino}`; }

  private locks(i: Inode): InodeLocks {
    const k = this.key(i);
    let l = this.byInode.get(k);
    if (!l) { l = new InodeLocks(); this.byInode.set(k, l); }
    return l;
  }

  private tidy(i: Inode, l: InodeLocks): void {
    if (l.idle) this.byInode.delete(this.key(i));
  }

  // ---- flock ----

  /** flock(LOCK_SH / LOCK_EX) for the open file description `ofd`; `wait` undefined = LOCK_NB. */
  async flock(i: Inode, ofd: object, type: LockType, wait: Interruptible | undefined): Promise<void> {
    const l = this.locks(i);
    // Linux converts by removing the old lock first (not atomic: a failed upgrade loses it).
    if (l.flocks.has(ofd) && l.flocks.get(ofd) !== type) { l.flocks.delete(ofd); l.queue.notify(); }
    const free = () => [...l.flocks].every(([o, t]) => o === ofd || !conflicts(t, type));
    try {
      if (!free()) {
        if (!wait) fail('EAGAIN', 'flock: held by another open file');
        await waitUntil(wait, [l.queue], () => (free() ? true : undefined));
      }
      l.flocks.set(ofd, type);
    } finally {
      this.tidy(i, l);
    }
  }

  /** LOCK_UN, and the last close of an open file description. */
  funlock(i: Inode, ofd: object): void {
    const l = this.byInode.get(this.key(i));
    if (!l || !l.flocks.delete(ofd)) return;
    l.queue.notify();
    this.tidy(i, l);
  }

  // ---- POSIX record locks ----

  /** F_GETLK: the first lock of another owner that conflicts with [start, end) of `type`. */
  test(i: Inode, owner: object, type: LockType, start: number, end: number): LockConflict {
    const l = this.byInode.get(this.key(i));
    return l?.posix.find((x) => x.owner !== owner && overlaps(x, start, end) && conflicts(x.type, type));
  }

  /** F_SETLK (wait undefined: EAGAIN on conflict) / F_SETLKW (blocks; EINTR, EDEADLK). */
  async setlk(i: Inode, owner: object, pid: number, type: LockType, start: number, end: number, wait: Interruptible | undefined): Promise<void> {
    const l = this.locks(i);
    try {
      const blocker = () => l.posix.find((x) => x.owner !== owner && overlaps(x, start, end) && conflicts(x.type, type));
      let b = blocker();
      if (b) {
        if (!wait) fail('EAGAIN', 'record lock held by another process');
        try {
          await waitUntil(wait, [l.queue], () => {
            b = blocker();
            if (!b) return true;
            if (this.wouldDeadlock(owner, b.owner)) fail('EDEADLK', 'lock wait would close a cycle');
            this.waitsFor.set(owner, b.owner);
            return undefined;
          });
        } finally {
          this.waitsFor.delete(owner);
        }
      }
      this.replace(l, owner, start, end, { owner, pid, type, start, end });
    } finally {
      this.tidy(i, l);
    }
  }

  /** F_SETLK with F_UNLCK. */
  unlock(i: Inode, owner: object, start: number, end: number): void {
    const l = this.byInode.get(this.key(i));
    if (!l) return;
    this.replace(l, owner, start, end, undefined);
    this.tidy(i, l);
  }

  /** Drops every POSIX lock `owner` has on the inode (close of any fd of it, exit). */
  releaseOwner(i: Inode, owner: object): void {
    const l = this.byInode.get(this.key(i));
    if (!l || !l.posix.some((x) => x.owner === owner)) return;
    l.posix = l.posix.filter((x) => x.owner !== owner);
    l.queue.notify();
    this.tidy(i, l);
  }

  /** Following the wait-for chain from `holder` reaches `owner`. */
  private wouldDeadlock(owner: object, holder: object): boolean {
    const seen = new Set<object>();
    for (let o: object | undefined = holder; o !== undefined && !seen.has(o); o = this.waitsFor.get(o)) {
      if (o === owner) return true;
      seen.add(o);
    }
    return false;
  }

  /** Cuts [start, end) out of `owner`'s locks (splitting them), adds `add`, merges neighbours of one type. */
  private replace(l: InodeLocks, owner: object, start: number, end: number, add: RangeLock | undefined): void {
    const mine: RangeLock[] = [];
    const others: RangeLock[] = [];
    for (const x of l.posix) {
      if (x.owner !== owner) { others.push(x); continue; }
      if (!overlaps(x, start, end)) { mine.push(x); continue; }
      if (x.start < start) mine.push({ ...x, end: start });
      if (x.end > end) mine.push({ ...x, start: end });
    }
    if (add) mine.push(add);
    mine.sort((a, b) => a.start - b.start);
    const merged: RangeLock[] = [];
    for (const x of mine) {
      const prev = merged[merged.length - 1];
      if (prev && prev.type === x.type && prev.end >= x.start) merged[merged.length - 1] = { ...prev, end: Math.max(prev.end, x.end) };
      else merged.push(x);
    }
    l.posix = [...others, ...merged];
    l.queue.notify();
  }
}
