// Process syscalls: spawn (posix_spawn), execve, exit_group, wait4, ids, process groups and sessions.
import { fail } from '../errno.js';
import type { Process, Thread } from '../process/process.js';
import { SpawnError } from '../process/loader.js';
import { waitUntil } from '../process/wait-queue.js';
import { bit, SIG_DFL, UNBLOCKABLE } from '../process/signal-state.js';
import { NSIG } from '../process/signals.js';
import { O_CLOEXEC } from '../fs/flags.js';
import { InodeFile } from '../fs/file.js';

export async function sysExitGroup(t: Thread, code: number): Promise<number> {
  await t.process.exit(code);
  return 0;
}

export function sysGetpid(t: Thread): number { return t.process.pid; }
export function sysGetppid(t: Thread): number { return t.process.ppid; }
export function sysGettid(t: Thread): number { return t.tid; }

// ---- posix_spawn ----

export type SpawnAction =
  | { kind: 'close'; fd: number }
  | { kind: 'dup2'; fd: number; newfd: number }
  | { kind: 'open'; fd: number; path: string; oflag: number; mode: number }
  | { kind: 'chdir'; path: string }
  | { kind: 'fchdir'; fd: number };

export interface SpawnAttr {
  flags: number;
  pgroup: number;
  sigmask: bigint;
  sigdefault: bigint;
}

export const POSIX_SPAWN_RESETIDS = 1, POSIX_SPAWN_SETPGROUP = 2, POSIX_SPAWN_SETSIGDEF = 4, POSIX_SPAWN_SETSIGMASK = 8,
  POSIX_SPAWN_SETSCHEDPARAM = 0x10, POSIX_SPAWN_SETSCHEDULER = 0x20, POSIX_SPAWN_USEVFORK = 0x40, POSIX_SPAWN_SETSID = 0x80;

/** posix_spawn: a child running `path`, with file actions applied in order to a copy of our fd table. */
export async function sysSpawn(t: Thread, path: string, argv: string[], envp: string[], actions: SpawnAction[], attr: SpawnAttr | undefined): Promise<number> {
  const parent = t.process;
  const k = t.kernel;
  const fds = parent.fds.fork();
  let cwd = parent.cwd;
  try {
    for (const a of actions) {
      if (a.kind === 'close') {
        if (fds.has(a.fd)) await fds.close(a.fd); // closing an unopened fd is not an error here (POSIX 2024)
      } else if (a.kind === 'dup2') {
        const f = fds.get(a.fd);
        if (a.fd === a.newfd) fds.setCloexec(a.fd, false);
        else await fds.install(a.newfd, f.ref(), false);
      } else if (a.kind === 'chdir') {
        const stack = await k.vfs.walk(cwd, a.path, true, parent); // /proc/self: the spawner (the child has no pid yet)
        if (stack[stack.length - 1]!.inode.type !== 'dir') fail('ENOTDIR');
        cwd = stack;
      } else if (a.kind === 'fchdir') {
        const f = fds.get(a.fd);
        if (!(f instanceof InodeFile) || f.kind !== 'dir') fail('ENOTDIR');
        cwd = f.location;
      } else {
        const start = a.path.startsWith('/') ? k.vfs.rootStack : cwd;
        const file = await k.vfs.open(start, a.path, a.oflag & ~O_CLOEXEC, a.mode & ~parent.umask & 0o7777, parent);
        await fds.install(a.fd, file, (a.oflag & O_CLOEXEC) !== 0);
      }
    }
    // Like fork + actions + exec: close-on-exec fds close after the actions ran.
    await fds.closeOnExec();
    if (attr && attr.flags & POSIX_SPAWN_SETPGROUP && attr.pgroup !== 0 && !findGroup(t, attr.pgroup)) fail('EPERM', 'no such process group in the session');
  } catch (e) {
    await fds.closeAll();
    throw e;
  }
  let child: Process;
  try {
    child = await k.spawn(path, {
      argv, env: envp, parent, fds, cwdStack: cwd,
      setup: (c) => {
        if (!attr) return;
        if (attr.flags & POSIX_SPAWN_SETSID) { c.sid = c.pid; c.pgid = c.pid; }
        if (attr.flags & POSIX_SPAWN_SETPGROUP) c.pgid = attr.pgroup === 0 ? c.pid : attr.pgroup;
        if (attr.flags & POSIX_SPAWN_SETSIGMASK) c.mainThread.mask = attr.sigmask & ~UNBLOCKABLE;
        if (attr.flags & POSIX_SPAWN_SETSIGDEF) {
          for (let s = 1; s <= NSIG; s++) if (attr.sigdefault & bit(s)) c.signalActions.set(s, { handler: SIG_DFL, flags: 0, mask: 0n });
        }
      },
    });
  } catch (e) {
    await fds.closeAll();
    if (e instanceof SpawnError) throw e.errno;
    throw e;
  }
  return child.pid;
}

function findGroup(t: Thread, pgid: number): boolean {
  for (const p of t.kernel.processes.values()) if (p.alive && p.pgid === pgid && p.sid === t.process.sid) return true;
  return false;
}

export async function sysExecve(t: Thread, path: string, argv: string[], envp: string[]): Promise<number> {
  try {
    await t.kernel.execve(t, path, argv, envp);
  } catch (e) {
    if (e instanceof SpawnError) throw e.errno;
    throw e;
  }
  return 0; // never seen: the calling worker is gone
}

// ---- wait4 ----

export const WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;

export interface WaitResult { pid: number; status: number }

/** wait4: reaps (or reports a stop/continue of) a matching child. Returns pid 0 with WNOHANG if none is ready. */
export async function sysWait4(t: Thread, pid: number, options: number): Promise<WaitResult> {
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x40000000 /* __WALL */ | 0x80000000 /* __WCLONE */)) fail('EINVAL');
  const self = t.process;
  const matches = (c: Process) => pid > 0 ? c.pid === pid : pid === 0 ? c.pgid === self.pgid : pid === -1 ? true : c.pgid === -pid;
  const check = (): WaitResult | undefined => {
    let any = false;
    for (const c of self.children) {
      if (!matches(c)) continue;
      any = true;
      if (c.state === 'zombie') {
        t.kernel.reap(c);
        return { pid: c.pid, status: c.status };
      }
      if (options & WUNTRACED && c.stopReport !== undefined) {
        const sig = c.stopReport;
        c.stopReport = undefined;
        return { pid: c.pid, status: 0x7f | (sig << 8) };
      }
      if (options & WCONTINUED && c.continueReport) {
        c.continueReport = false;
        return { pid: c.pid, status: 0xffff };
      }
    }
    if (!any) fail('ECHILD');
    return options & WNOHANG ? { pid: 0, status: 0 } : undefined;
  };
  const r = await waitUntil(t, [self.childEvents], check);
  return r as WaitResult;
}

// ---- process groups and sessions ----

function target(t: Thread, pid: number): Process {
  if (pid === 0) return t.process;
  const p = t.kernel.processes.get(pid);
  if (!p) fail('ESRCH');
  return p;
}

export function sysGetpgid(t: Thread, pid: number): number { return target(t, pid).pgid; }
export function sysGetsid(t: Thread, pid: number): number { return target(t, pid).sid; }

export function sysSetpgid(t: Thread, pid: number, pgid: number): number {
  if (pgid < 0) fail('EINVAL');
  const self = t.process;
  const p = target(t, pid);
  if (p !== self && p.parent !== self) fail('ESRCH');
  if (p !== self) fail('EACCES', 'the child has already executed a program (posix_spawn)');
  if (p.sid !== self.sid) fail('EPERM');
  if (p.sid === p.pid) fail('EPERM', 'a session leader cannot change its group');
  const g = pgid === 0 ? p.pid : pgid;
  if (g !== p.pid) {
    let ok = false;
    for (const q of t.kernel.processes.values()) if (q.alive && q.pgid === g && q.sid === self.sid) ok = true;
    if (!ok) fail('EPERM');
  }
  p.pgid = g;
  return 0;
}

export function sysSetsid(t: Thread): number {
  const p = t.process;
  for (const q of t.kernel.processes.values()) if (q.alive && q.pgid === p.pid) fail('EPERM', 'already a process group leader');
  p.sid = p.pid;
  p.pgid = p.pid;
  return p.sid;
}

/** Identity: a single-user environment, everyone is root (as in Occlum). */
export function sysGetuid(_t: Thread): number { return 0; }

