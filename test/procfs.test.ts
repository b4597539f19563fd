// procfs (/proc): a C program reads its own and a child's entries in the LibOS; the test checks
// them against what it knows (argv, pids, the files the program opened, the kernel's mounts and
// memory), plus `ps -ef`, `cat /proc/cpuinfo` and `ls /proc` from the userland.
// covers: openat read readlinkat getdents64 newfstatat chdir pipe2 eventfd2 mkdirat unlinkat spawn wait4 kill
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { compileProgram, LibOS, tempDir, type RunResult } from './helpers/libos.js';
import { buildUserlandTool } from './helpers/userland.js';
import { SysError } from '../src/kernel/errno.js';

let libos: LibOS;
let hostDir = '';

before(async () => {
  const tools = await Promise.all(['ps', 'cat', 'ls'].map(async (t) => [t, (await buildUserlandTool(t)).wasm] as const));
  for (const [t, w] of tools) assert.ok(w, `userland/${t}.c must build`);
  hostDir = tempDir('occlum-ts-procfs-');
  libos = await LibOS.boot({
    programs: { procfs: await compileProgram('fs/procfs'), ...Object.fromEntries(tools.map(([t, w]) => [t, w!])) },
    hostDir,
  });
});

after(async () => {
  await libos.shutdown();
  fs.rmSync(hostDir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<RunResult> {
  const r = await libos.run('procfs', args, { timeoutMs: 60_000 });
  assert.equal(r.timedOut, false);
  assert.equal(r.stderr, '');
  assert.equal(r.exitCode, 0);
  assert.deepEqual(libos.kernelBugs(), []);
  return r;
}

/** The values of every line "label: value" (in order). */
function values(out: string, label: string): string[] {
  return out.split('\n').filter((l) => l.startsWith(`${label}: `)).map((l) => l.slice(label.length + 2));
}
function value(out: string, label: string): string {
  const v = values(out, label);
  assert.equal(v.length, 1, `one "${label}" line in:\n${out}`);
  return v[0]!;
}

let selfRun: Promise<RunResult> | undefined;
const selfOut = async () => (await (selfRun ??= run(['self', 'a b']))).stdout;

test('/proc/self names the caller; cmdline, comm, cwd, exe and root are its own', async () => {
  const out = await selfOut();
  const pid = value(out, 'getpid');
  assert.equal(value(out, 'self'), pid);
  assert.equal(value(out, 'cmdline'), '/bin/procfs|self|a b| (21 bytes, argc 3)');
  assert.equal(value(out, 'comm'), 'procfs');
  assert.equal(value(out, 'cwd'), '/tmp');
  assert.equal(value(out, 'exe'), '/bin/procfs');
  assert.equal(value(out, 'root'), '/');
  assert.equal(value(out, '/proc lists own pid'), 'yes');
});

test('/proc/self/stat has 52 fields with the real pid, state, family, start time and memory', async () => {
  const out = await selfOut();
  const line = value(out, 'stat');
  const m = /^(\d+) \((.*)\) (.*)$/.exec(line);
  assert.ok(m, line);
  const rest = m[3]!.split(' ');
  assert.equal(2 + rest.length, 52);
  assert.equal(m[1], value(out, 'getpid'));
  assert.equal(m[2], 'procfs');
  const [state, ppid, pgrp, session] = rest;
  assert.equal(state, 'R');
  assert.equal(ppid, value(out, 'getppid'));
  assert.equal(pgrp, m[1]); // a root process leads its own group and session
  assert.equal(session, m[1]);
  const field = (n: number) => Number(rest[n - 3]);
  const vmSizeKb = Number(/(\d+) kB/.exec(values(out, 'status').find((l) => l.startsWith('VmSize:'))!)![1]);
  assert.equal(field(23), vmSizeKb * 1024, 'vsize = the Wasm memory');
  assert.equal(field(24), (vmSizeKb * 1024) / 4096, 'rss in pages');
  assert.ok(vmSizeKb > 0);
  const uptimeTicks = Number(value(out, 'uptime').split(' ')[0]) * 100;
  assert.ok(field(22) >= 0 && field(22) <= uptimeTicks + 1, `starttime ${field(22)} within uptime ${uptimeTicks}`);
  assert.equal(field(38), 17, 'exit_signal SIGCHLD');
});

test('/proc/self/status has Linux lines for name, state, ids, memory and threads', async () => {
  const out = await selfOut();
  const pid = value(out, 'getpid');
  const st = values(out, 'status');
  for (const l of ['Name:\tprocfs', 'State:\tR (running)', `Pid:\t${pid}`, `PPid:\t${value(out, 'getppid')}`, 'Uid:\t0\t0\t0\t0', 'Gid:\t0\t0\t0\t0', 'Threads:\t1']) {
    assert.ok(st.includes(l), `missing ${JSON.stringify(l)} in ${JSON.stringify(st)}`);
  }
  assert.match(st.find((l) => l.startsWith('VmRSS:'))!, /^VmRSS:\t +\d+ kB$/);
});

test('/proc/self/fd links name the open file, pipe:[ino] and anon_inode:[eventfd]; following one opens the file', async () => {
  const out = await selfOut();
  const m = /^file=(\d+) pipe=(\d+),(\d+) eventfd=(\d+)$/.exec(value(out, 'fds'))!;
  assert.ok(m);
  const [file, r, w, efd] = m.slice(1);
  assert.equal(value(out, `fd ${file}`), '/tmp/procfs-file');
  const pr = value(out, `fd ${r}`);
  assert.match(pr, /^pipe:\[\d+\]$/);
  assert.equal(value(out, `fd ${w}`), pr, 'both ends of one pipe have the same inode');
  assert.equal(value(out, `fd ${efd}`), 'anon_inode:[eventfd]');
  assert.equal(value(out, 'via fd link'), '17 bytes: through the link');
  assert.equal(value(out, 'reopened pipe'), 'fd=ok read=5 [piped]');
});

test('/proc/self/mountinfo and /proc/mounts list the root, /proc, /dev, /dev/shm and the hostfs', async () => {
  const out = await selfOut();
  const info = values(out, 'mountinfo').map((l) => {
    const m = /^(\d+) (\d+) 0:(\d+) \/ (\S+) (rw|ro),relatime - (\S+) (\S+) (rw|ro)$/.exec(l);
    assert.ok(m, `mountinfo line format: ${l}`);
    return { id: m[1]!, parent: m[2]!, target: m[4]!, type: m[6]!, source: m[7]! };
  });
  const at = (t: string) => info.find((i) => i.target === t) ?? assert.fail(`no mount at ${t}`);
  assert.equal(at('/').type, 'ramfs');
  assert.equal(at('/proc').type, 'proc');
  assert.equal(at('/proc').parent, at('/').id);
  assert.equal(at('/dev').type, 'devtmpfs');
  assert.equal(at('/dev/shm').type, 'ramfs');
  assert.equal(at('/dev/shm').parent, at('/dev').id);
  assert.equal(at('/host').type, 'hostfs');
  assert.equal(at('/host').source, fs.realpathSync(hostDir));
  assert.equal(new Set(info.map((i) => i.id)).size, info.length, 'unique mount ids');
  assert.deepEqual(values(out, 'mounts'), info.map((i) => `${i.source} ${i.target} ${i.type} rw,relatime 0 0`));
});

test('/proc/meminfo, uptime, cpuinfo and stat', async () => {
  const out = await selfOut();
  const kb = (k: string) => {
    const l = values(out, 'meminfo').find((x) => x.startsWith(`${k}:`)) ?? assert.fail(`no ${k}`);
    assert.match(l, /^\S+: +\d+ kB$/);
    assert.equal(l.indexOf('kB'), 25, 'Linux pads label to 16 and value to 8 columns');
    return Number(/(\d+) kB/.exec(l)![1]);
  };
  assert.equal(kb('MemTotal'), libos.kernel.userSpaceBytes / 1024);
  const vmSize = Number(/(\d+) kB/.exec(values(out, 'status').find((l) => l.startsWith('VmSize:'))!)![1]);
  assert.equal(kb('MemTotal') - kb('MemFree'), vmSize, 'the only process holds the used memory');
  assert.match(value(out, 'uptime'), /^\d+\.\d\d \d+\.\d\d$/);
  assert.ok(values(out, 'cpuinfo').includes('processor\t: 0'));
  const btime = Number(values(out, 'kstat').find((l) => l.startsWith('btime '))!.split(' ')[1]);
  assert.ok(Math.abs(btime - Date.now() / 1000) < 600, `btime ${btime} is about now`);
  assert.ok(values(out, 'kstat').some((l) => /^cpu  (0 ){9}0$/.test(l)));
});

test('procfs is read-only with Linux errnos', async () => {
  const out = await selfOut();
  assert.equal(value(out, 'open cpuinfo O_WRONLY'), 'EACCES');
  assert.equal(value(out, 'create /proc/newfile'), 'ENOENT');
  assert.equal(value(out, 'mkdir /proc/newdir'), 'ENOENT');
  assert.equal(value(out, 'unlink /proc/cpuinfo'), 'EPERM');
  assert.equal(value(out, 'open /proc/99999/stat'), 'ENOENT');
});

test("/proc/<child>/stat shows the child's ppid and sleeping state; the entry goes when it is reaped", async () => {
  const r = await run(['child']);
  const out = r.stdout;
  const child = value(out, 'child');
  const stat = value(out, 'child stat').split(' ');
  assert.equal(stat[0], child);
  assert.equal(stat[1], '(procfs)');
  assert.equal(stat[2], 'S', 'the child sleeps in nanosleep');
  const parentPid = stat[3]!;
  assert.ok(Number(parentPid) > 0 && parentPid !== child);
  assert.equal(stat[4], parentPid, 'the child is in its parent\'s group');
  assert.equal(value(out, 'child cmdline'), '/bin/procfs|sleeper|with args|');
  assert.ok(values(out, 'status').includes('State:\tS (sleeping)'));
  assert.ok(values(out, 'status').includes(`PPid:\t${parentPid}`));
  assert.equal(value(out, 'child killed'), 'yes');
  assert.equal(value(out, 'after reaping'), 'ENOENT');
});

test('ps -ef lists the sleeping child, its parent and ps itself', async () => {
  const r = await run(['ps']);
  const lines = r.stdout.split('\n');
  const sleeper = value(r.stdout, 'sleeper');
  assert.equal(lines[1], '  PID  PPID STAT     TIME CMD');
  const rows = lines.slice(2).filter(Boolean).map((l) => {
    const m = /^ *(\d+) +(\d+) (\S) +(\d\d:\d\d:\d\d) (.*)$/.exec(l);
    assert.ok(m, `ps line: ${l}`);
    return { pid: m[1]!, ppid: m[2]!, stat: m[3]!, cmd: m[5]! };
  });
  const child = rows.find((x) => x.pid === sleeper) ?? assert.fail(`no row for ${sleeper}:\n${r.stdout}`);
  assert.equal(child.stat, 'S');
  assert.equal(child.cmd, '/bin/procfs sleeper');
  const parent = rows.find((x) => x.pid === child.ppid) ?? assert.fail('no row for the parent');
  assert.equal(parent.cmd, '/bin/procfs ps');
  assert.equal(parent.stat, 'S', 'the parent waits for ps');
  const ps = rows.find((x) => x.cmd === '/bin/ps -ef') ?? assert.fail('no row for ps');
  assert.equal(ps.ppid, parent.pid);
  assert.equal(ps.stat, 'R');
});

test('cat /proc/cpuinfo and ls /proc through the userland', async () => {
  const cat = await libos.run('cat', ['/proc/cpuinfo']);
  assert.equal(cat.exitCode, 0, cat.stderr);
  assert.match(cat.stdout, /^processor\t: 0\n/);
  const ls = await libos.spawn('ls', ['/proc']);
  const r = await ls.result;
  assert.equal(r.exitCode, 0, r.stderr);
  const names = r.stdout.split(/\s+/).filter(Boolean);
  for (const n of ['cpuinfo', 'meminfo', 'mounts', 'self', 'stat', 'uptime', String(ls.proc.pid)]) assert.ok(names.includes(n), `ls /proc lists ${n}: ${r.stdout}`);
});

test('/proc/self outside a process (the kernel resolving a path) does not exist', async () => {
  const vfs = libos.kernel.vfs;
  await assert.rejects(vfs.readlink(vfs.rootStack, '/proc/self'), (e: unknown) => e instanceof SysError && e.errno === 2);
  assert.equal(await vfs.readlink(vfs.rootStack, '/proc/self', { pid: 42 }), '42');
});
