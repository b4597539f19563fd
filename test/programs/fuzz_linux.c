/* fuzz_linux.c: calls the functions of the `linux` import module (docs/linux-abi.md), imported
 * directly, with random arguments from a seeded PRNG, and checks that every result is >= 0 or a
 * Linux -errno (-1..-133).
 *
 * usage: fuzz_linux <seed> <iterations>
 * output: "fn <name> calls=<n> ok=<n>" per function, up to 10 "bad ..." lines, and last the
 *         summary "calls=<N> bad=<K>".
 *
 * What the fuzzer leaves out, so that it can still count and report (the kernel must cope with
 * anything else): process creation and replacement (spawn, execve), signals that could kill or
 * re-enter it (kill, tgkill, rt_sigaction, sigdeliver, sigreturn, alarm, setitimer), and calls
 * that block by design (rt_sigsuspend, rt_sigtimedwait, ppoll, clock_nanosleep). dup2/dup3 never
 * target fds 0-3. A pointer is inside the scratch arena with room for what the kernel may write,
 * or invalid (0, near the end of memory, 0xfffffff0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(name) __attribute__((import_module("linux"), import_name(#name))) int32_t l_##name(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
L(wait4) L(getpid) L(getppid) L(gettid) L(getpgid) L(setpgid) L(getsid) L(setsid) L(getuid) L(geteuid)
L(getgid) L(getegid) L(getgroups) L(rt_sigprocmask) L(rt_sigpending) L(getitimer) L(pipe2) L(dup) L(dup3)
L(dup2) L(fcntl) L(flock) L(fallocate) L(getdents64) L(statfs) L(fstatfs) L(mount) L(umount2) L(faccessat)
L(fchmodat) L(fchmod) L(mkdirat) L(eventfd2) L(ioctl) L(umask) L(getcwd) L(chdir) L(fchdir) L(prlimit64)
L(uname) L(sysinfo)

typedef int32_t (*fn6)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
struct entry { const char *name; fn6 f; unsigned calls, ok; };
#define E(name) { #name, l_##name, 0, 0 },
static struct entry fns[] = {
	E(wait4) E(getpid) E(getppid) E(gettid) E(getpgid) E(setpgid) E(getsid) E(setsid) E(getuid) E(geteuid)
	E(getgid) E(getegid) E(getgroups) E(rt_sigprocmask) E(rt_sigpending) E(getitimer) E(pipe2) E(dup) E(dup3)
	E(dup2) E(fcntl) E(flock) E(fallocate) E(getdents64) E(statfs) E(fstatfs) E(mount) E(umount2) E(faccessat)
	E(fchmodat) E(fchmod) E(mkdirat) E(eventfd2) E(ioctl) E(umask) E(getcwd) E(chdir) E(fchdir) E(prlimit64)
	E(uname) E(sysinfo)
};
#define NFNS (sizeof fns / sizeof fns[0])

static uint64_t rng;
static uint32_t next(void)
{
	rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

#define ARENA (256 * 1024)
static unsigned char arena[ARENA] __attribute__((aligned(16)));

static const char *paths[] = { "/tmp/fz", "/tmp/fz/a", "/tmp", "/", "/proc/self", "/dev/null", "/proc", "tmp/fz/b",
	"..", "", "/tmp/fz/../fz/c", "/nonexistent/x", "/dev", "/tmp/fz/a/b/c/d" };
static const char *fstypes[] = { "ramfs", "hostfs", "sefs", "unionfs", "bogus", "" };

/* An argument: small ints, flags, fds, a pointer into the arena (filled with a path or junk), an
 * invalid pointer, or an extreme value. */
static uint32_t arg(void)
{
	switch (next() % 10) {
	case 0: case 1: return next() % 12;                  /* small: fds, commands, signals */
	case 2: return (uint32_t)((int32_t)(next() % 80) - 8); /* small signed */
	case 3: {                                              /* a path string */
		uint32_t off = (next() % 64) * 512;
		const char *p = next() % 4 ? paths[next() % (sizeof paths / sizeof *paths)] : fstypes[next() % 6];
		strcpy((char *)arena + off, p);
		return (uint32_t)(uintptr_t)(arena + off);
	}
	case 4: {                                              /* junk bytes, then a pointer to them */
		uint32_t off = (next() % 64) * 512;
		for (int i = 0; i < 512; i++) arena[off + i] = (unsigned char)next();
		return (uint32_t)(uintptr_t)(arena + off);
	}
	case 5: return (uint32_t)(uintptr_t)(arena + (next() % 64) * 512); /* an output buffer */
	case 6: return next() % 5000;                          /* sizes */
	case 7: {                                              /* invalid pointers */
		uint32_t mem = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
		uint32_t c[] = { 0, mem - 4, mem - 100, mem, 0xfffffff0u, 0x7fffffffu };
		return c[next() % 6];
	}
	case 8: { uint32_t c[] = { 0xffffffffu, 0x80000000u, 0x7fffffffu, 1u << 20, 65536 }; return c[next() % 5]; }
	default: return next();
	}
}

int main(int argc, char **argv)
{
	rng = argc > 1 ? strtoull(argv[1], 0, 10) * 2654435761u + 1 : 1;
	long iters = argc > 2 ? atol(argv[2]) : 10000;
	l_mkdirat((uint32_t)-100, (uint32_t)(uintptr_t)"/tmp/fz", 0755, 0, 0, 0);
	unsigned bad = 0;
	for (long i = 0; i < iters; i++) {
		struct entry *e = &fns[next() % NFNS];
		uint32_t a[6];
		for (int k = 0; k < 6; k++) a[k] = arg();
		if ((e->f == l_dup2 || e->f == l_dup3) && a[1] <= 3) a[1] += 40; /* keep stdio and the root preopen */
		if (e->f == l_fcntl && a[0] <= 3) a[0] += 40;                    /* (F_SETFL/F_SETFD on them too) */
		int32_t r = e->f(a[0], a[1], a[2], a[3], a[4], a[5]);
		e->calls++;
		if (r >= 0) e->ok++;
		else if (r < -133) {
			if (bad++ < 10) printf("bad %s(%#x, %#x, %#x, %#x) = %d\n", e->name, a[0], a[1], a[2], a[3], r);
		}
	}
	unsigned long calls = 0;
	for (unsigned k = 0; k < NFNS; k++) {
		printf("fn %s calls=%u ok=%u\n", fns[k].name, fns[k].calls, fns[k].ok);
		calls += fns[k].calls;
	}
	printf("calls=%lu bad=%u\n", calls, bad);
	return 0;
}
