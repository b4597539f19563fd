/* fuzz_wasi.c: calls all 46 wasi_snapshot_preview1 functions, imported directly (not through
 * wasi-libc), with random arguments from a seeded PRNG, and checks that every return value is a
 * WASI errno (0..76).
 *
 * usage: fuzz_wasi <seed> <iterations>
 * output: one line per function ("fn <name> calls=<n> ok=<n>"), an errno histogram, up to 10
 *         "bad ..." lines, and last the summary "calls=<N> bad_errno=<K>".
 *
 * Safety rules that keep the fuzzer from corrupting itself (the kernel must cope with anything,
 * the program must still be able to count and report):
 *  - a pointer is either inside the static scratch `arena` with its whole length inside it, or
 *    invalid: beyond the memory's end, 0xffffffff-like, or near the end with a length that runs
 *    past it (what the kernel may write there is then at most 4 KiB into the unused heap tail);
 *  - "huge" lengths (> the memory size) only come with pointers that leave >= 32 KiB of arena;
 *  - fds 1, 2 (stdout, stderr) and 3 (the preopened "/") are never closed or renumbered, and
 *    nothing is written to 1 and 2;
 *  - proc_raise only sends signals that are ignored by default (or invalid numbers);
 *  - poll_oneoff always has a clock subscription of at most 1 ms; stdin is empty (EOF);
 *  - proc_exit is called once, at the end.
 * Paths mostly start with tmp/fz (ramfs) or host/fz (hostfs, if mounted at /host) and use a small
 * vocabulary ("a", "b", "c", "..", "escape": the test plants host symlinks by that name that point
 * outside the mount), plus names longer than NAME_MAX, embedded NULs and bytes that are not UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
typedef uint32_t P; /* a pointer as the kernel sees it: any 32-bit value */
typedef int32_t R;  /* the raw i32 result, so that out-of-range values are visible */

W(args_get) R w_args_get(P argv, P buf);
W(args_sizes_get) R w_args_sizes_get(P argc, P size);
W(environ_get) R w_environ_get(P env, P buf);
W(environ_sizes_get) R w_environ_sizes_get(P count, P size);
W(clock_res_get) R w_clock_res_get(uint32_t id, P res);
W(clock_time_get) R w_clock_time_get(uint32_t id, uint64_t precision, P time);
W(fd_advise) R w_fd_advise(int32_t fd, uint64_t offset, uint64_t len, uint32_t advice);
W(fd_allocate) R w_fd_allocate(int32_t fd, uint64_t offset, uint64_t len);
W(fd_close) R w_fd_close(int32_t fd);
W(fd_datasync) R w_fd_datasync(int32_t fd);
W(fd_fdstat_get) R w_fd_fdstat_get(int32_t fd, P out);
W(fd_fdstat_set_flags) R w_fd_fdstat_set_flags(int32_t fd, uint32_t flags);
W(fd_fdstat_set_rights) R w_fd_fdstat_set_rights(int32_t fd, uint64_t base, uint64_t inheriting);
W(fd_filestat_get) R w_fd_filestat_get(int32_t fd, P out);
W(fd_filestat_set_size) R w_fd_filestat_set_size(int32_t fd, uint64_t size);
W(fd_filestat_set_times) R w_fd_filestat_set_times(int32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst);
W(fd_pread) R w_fd_pread(int32_t fd, P iovs, uint32_t n, uint64_t offset, P nread);
W(fd_prestat_get) R w_fd_prestat_get(int32_t fd, P out);
W(fd_prestat_dir_name) R w_fd_prestat_dir_name(int32_t fd, P buf, uint32_t len);
W(fd_pwrite) R w_fd_pwrite(int32_t fd, P iovs, uint32_t n, uint64_t offset, P nwritten);
W(fd_read) R w_fd_read(int32_t fd, P iovs, uint32_t n, P nread);
W(fd_readdir) R w_fd_readdir(int32_t fd, P buf, uint32_t len, uint64_t cookie, P used);
W(fd_renumber) R w_fd_renumber(int32_t fd, int32_t to);
W(fd_seek) R w_fd_seek(int32_t fd, int64_t offset, uint32_t whence, P newoffset);
W(fd_sync) R w_fd_sync(int32_t fd);
W(fd_tell) R w_fd_tell(int32_t fd, P out);
W(fd_write) R w_fd_write(int32_t fd, P iovs, uint32_t n, P nwritten);
W(path_create_directory) R w_path_create_directory(int32_t fd, P path, uint32_t len);
W(path_filestat_get) R w_path_filestat_get(int32_t fd, uint32_t flags, P path, uint32_t len, P out);
W(path_filestat_set_times) R w_path_filestat_set_times(int32_t fd, uint32_t flags, P path, uint32_t len, uint64_t atim, uint64_t mtim, uint32_t fst);
W(path_link) R w_path_link(int32_t ofd, uint32_t oflags, P opath, uint32_t olen, int32_t nfd, P npath, uint32_t nlen);
W(path_open) R w_path_open(int32_t fd, uint32_t dirflags, P path, uint32_t len, uint32_t oflags, uint64_t rights, uint64_t inheriting, uint32_t fdflags, P fd_out);
W(path_readlink) R w_path_readlink(int32_t fd, P path, uint32_t len, P buf, uint32_t buflen, P used);
W(path_remove_directory) R w_path_remove_directory(int32_t fd, P path, uint32_t len);
W(path_rename) R w_path_rename(int32_t fd, P opath, uint32_t olen, int32_t nfd, P npath, uint32_t nlen);
W(path_symlink) R w_path_symlink(P opath, uint32_t olen, int32_t fd, P npath, uint32_t nlen);
W(path_unlink_file) R w_path_unlink_file(int32_t fd, P path, uint32_t len);
W(poll_oneoff) R w_poll_oneoff(P in, P out, uint32_t n, P nevents);
W(proc_exit) _Noreturn void w_proc_exit(uint32_t code);
W(proc_raise) R w_proc_raise(uint32_t sig);
W(sched_yield) R w_sched_yield(void);
W(random_get) R w_random_get(P buf, uint32_t len);
W(sock_accept) R w_sock_accept(int32_t fd, uint32_t flags, P fd_out);
W(sock_recv) R w_sock_recv(int32_t fd, P iovs, uint32_t n, uint32_t flags, P datalen, P oflags);
W(sock_send) R w_sock_send(int32_t fd, P iovs, uint32_t n, uint32_t flags, P datalen);
W(sock_shutdown) R w_sock_shutdown(int32_t fd, uint32_t how);

enum {
  F_args_get, F_args_sizes_get, F_environ_get, F_environ_sizes_get, F_clock_res_get, F_clock_time_get,
  F_fd_advise, F_fd_allocate, F_fd_close, F_fd_datasync, F_fd_fdstat_get, F_fd_fdstat_set_flags,
  F_fd_fdstat_set_rights, F_fd_filestat_get, F_fd_filestat_set_size, F_fd_filestat_set_times, F_fd_pread,
  F_fd_prestat_get, F_fd_prestat_dir_name, F_fd_pwrite, F_fd_read, F_fd_readdir, F_fd_renumber, F_fd_seek,
  F_fd_sync, F_fd_tell, F_fd_write, F_path_create_directory, F_path_filestat_get, F_path_filestat_set_times,
  F_path_link, F_path_open, F_path_readlink, F_path_remove_directory, F_path_rename, F_path_symlink,
  F_path_unlink_file, F_poll_oneoff, F_proc_raise, F_sched_yield, F_random_get, F_sock_accept, F_sock_recv,
  F_sock_send, F_sock_shutdown, F_proc_exit, NFUNCS
};
static const char *const names[NFUNCS] = {
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
  "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
  "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
  "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
  "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
  "path_unlink_file", "poll_oneoff", "proc_raise", "sched_yield", "random_get", "sock_accept", "sock_recv",
  "sock_send", "sock_shutdown", "proc_exit",
};

#define ARENA (64 * 1024)
static _Alignas(16) unsigned char arena[ARENA];

/* ---- PRNG (xorshift64*) ---- */
static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) { rs ^= rs >> 12; rs ^= rs << 25; rs ^= rs >> 27; return rs * 2685821657736338717ull; }
static uint32_t r32(void) { return (uint32_t)(rnd() >> 32); }
static uint32_t below(uint32_t n) { return n ? r32() % n : 0; }
static int chance(int pct) { return (int)below(100) < pct; }

static uint32_t memend(void) { return (uint32_t)__builtin_wasm_memory_size(0) * 65536u; }
static P A(uint32_t off) { return (P)(uintptr_t)arena + off; }
/* [p, p+len) lies inside the arena (no 32-bit wrap-around) */
static int in_arena(P p, uint32_t len) { return p >= A(0) && p <= A(ARENA) && len <= A(ARENA) - p; }

/* ---- arguments ---- */

static int huge(uint32_t len) { return len > ARENA; }

/* A length: mostly small or medium (fits in half the arena), sometimes huge (> any memory size). */
static uint32_t rlen(void) {
  switch (below(10)) {
    case 0: return 0;
    case 1: case 2: case 3: return below(17);
    case 4: case 5: return 17 + below(4096);
    case 6: case 7: return below(ARENA / 2 + 1);
    default: {
      static const uint32_t h[] = {0x80000000u, 0xffffffffu, 0x7fffffffu, 0xfffffff0u, 0x40000000u};
      return h[below(5)];
    }
  }
}

/* A pointer for `len` bytes: inside the arena with room for len, or invalid (see the header). */
static P rptr(uint32_t len) {
  uint32_t end = memend();
  int k = below(100);
  if (huge(len)) {
    if (k < 60) return A(below(ARENA / 2));           /* >= 32 KiB of arena after it; the range overflows memory */
  } else if (k < 75) {
    return A(below(ARENA - len + 1));
  }
  k = below(5);
  switch (k) {
    case 0: return end + below(1 << 20) + (len == 0);  /* beyond the end */
    case 1: { static const P bad[] = {0xffffffffu, 0xfffffff0u, 0xfffffffcu, 0x80000000u}; return bad[below(4)]; }
    case 2: case 3: {                                   /* near the end: [p, p+len) crosses it */
      if (len == 0) return end + 1;
      uint32_t span = len < 4096 ? len : 4096;
      return end - below(span);
    }
    default:                                            /* null only when nothing can be written */
      return len == 0 ? 0 : huge(len) ? A(below(ARENA / 2)) : A(below(ARENA - len + 1));
  }
}

static int32_t pool[16];
static int npool;
static int32_t last_closed = -1;

static void remember(int32_t fd) {
  if (npool < 16) pool[npool++] = fd;
  else pool[below(16)] = fd;
}

static int32_t rfd(void) {
  int k = below(100);
  if (k < 45 && npool) return pool[below(npool)];
  if (k < 75) return (int32_t)below(11);
  if (k < 85) return 3;
  if (k < 90) return last_closed;
  static const int32_t odd[] = {-1, -100, (int32_t)0x80000000, 0x7fffffff, 1000, 1024, 1 << 20, 65536, 11, 12};
  return odd[below(10)];
}

/* a directory fd for path calls: mostly the preopened root */
static int32_t rdirfd(void) {
  int k = below(100);
  if (k < 55) return 3;
  if (k < 80 && npool) return pool[below(npool)];
  return rfd();
}

static int protected_fd(int32_t fd) { return fd == 1 || fd == 2 || fd == 3; }
static int stdio_out(int32_t fd) { return fd == 1 || fd == 2; }

static uint64_t roff(void) {
  switch (below(10)) {
    case 0: case 1: case 2: case 3: case 4: return below(4096);
    case 5: case 6: return below(1 << 20);
    case 7: {
      static const uint64_t h[] = {1ull << 31, 1ull << 32, 1ull << 40, 1ull << 53, (1ull << 53) + 1, 1ull << 62,
                                   0x7fffffffffffffffull, 0xffffffffffffffffull, 0xfffffffffffffffbull, 1ull << 63};
      return h[below(10)];
    }
    default: return rnd();
  }
}

static uint32_t rflags(uint32_t valid_bits) {
  switch (below(4)) {
    case 0: return 0;
    case 1: case 2: return below(valid_bits + 1);
    default: return r32();
  }
}

static uint64_t rtime(void) {
  switch (below(4)) {
    case 0: return 0;
    case 1: return 1600000000000000000ull + rnd() % 100000000000000000ull;
    case 2: return below(1000000000);
    default: return rnd();
  }
}

/* An iovec array of random (ptr, len) pairs; *n may be huge. */
static P riov(uint32_t *n, int for_stdio) {
  uint32_t cnt = below(10) < 8 ? below(5) : (uint32_t[]){16, 1025, 100000, 0xffffffffu}[below(4)];
  *n = cnt;
  if (for_stdio) {                                     /* nothing may reach stdout/stderr */
    if (chance(50)) { *n = 0; return rptr(0); }
    return (P[]){0xffffffffu, memend() + 8}[below(2)];
  }
  if (cnt > 16) return rptr(cnt > 0x1fffffff ? 0xffffffffu : cnt * 8);
  uint32_t bytes = cnt * 8;
  int sane = chance(60);                                 /* every buffer valid: the call can succeed */
  P arr = sane ? A(below(ARENA - bytes + 1)) : rptr(bytes);
  if (bytes && in_arena(arr, bytes)) {
    for (uint32_t i = 0; i < cnt; i++) {
      uint32_t len = sane ? below(4097) : rlen();
      P p = sane ? A(below(ARENA - len + 1)) : rptr(len);
      memcpy((void *)(uintptr_t)(arr + i * 8), &p, 4);
      memcpy((void *)(uintptr_t)(arr + i * 8 + 4), &len, 4);
    }
  }
  return arr;
}

static const char *const vocab[] = {
  "tmp", "host", "fz", "fz", "fz", "a", "b", "c", "d1", "escape", "..", ".", "", "f.txt", "sp ace", "\x01\xff\xfe",
  "\xc3\xa9t\xc3\xa9", "-", "~", "fz/a",
};

/* A path string in the arena: returns pointer and length (the length may lie or the pointer be bad). */
static P rpath(uint32_t *len) {
  static char b[2048];
  int n = 0;
  int k = below(10);
  if (k < 4) n = snprintf(b, sizeof b, "tmp/fz");
  else if (k < 7) n = snprintf(b, sizeof b, "host/fz");
  else if (k < 8) n = snprintf(b, sizeof b, "/");
  int depth = below(4);
  for (int i = 0; i < depth && n < 1100; i++) {
    if (n && b[n - 1] != '/') b[n++] = '/';
    int c = below(40);
    if (c >= 32) c = below(10);                                        /* fewer odd names: more paths resolve */
    if (c < 10) n += snprintf(b + n, sizeof b - n, "%s", vocab[5 + c % 3]);   /* a, b, c: names that recur */
    else if (c < 28) n += snprintf(b + n, sizeof b - n, "%s", vocab[c - 8]);
    else if (c == 28) n += snprintf(b + n, sizeof b - n, "%s", vocab[below(2)]); /* tmp, host */
    else if (c == 29) { memset(b + n, 'x', 300); n += 300; }           /* longer than NAME_MAX */
    else if (c == 30) { b[n++] = 'z'; b[n++] = 0; b[n++] = 'z'; }       /* embedded NUL */
    else { int m = 1 + below(6); for (int j = 0; j < m; j++) b[n++] = (char)(1 + below(255)); }
  }
  if (chance(5)) b[n++] = '/';
  uint32_t l = (uint32_t)n;
  if (chance(5)) l = below(l + 1);
  if (chance(3)) l = rlen();
  P p;
  if (l <= (uint32_t)n && chance(95)) {
    p = A(ARENA / 2 + below(ARENA / 2 - sizeof b));
    memcpy((void *)(uintptr_t)p, b, n);
  } else {
    p = rptr(l);
  }
  *len = l;
  return p;
}

/* Reads a u32 result the kernel wrote, if the pointer was inside the arena. */
static int arena_u32(P p, uint32_t *v) {
  if (!in_arena(p, 4)) return 0;
  memcpy(v, (void *)(uintptr_t)p, 4);
  return 1;
}

/* poll_oneoff input: nsubs subscriptions, one of them a clock of <= 1 ms. */
static R do_poll(void) {
  /* 1..16 subscriptions built in the arena, or a count the kernel must refuse before reading */
  uint32_t n = below(10) < 9 ? 1 + (chance(90) ? below(4) : below(16)) : (uint32_t[]){0, 4097, 0xffffffffu}[below(3)];
  uint32_t real = n <= 16 ? n : 0;
  P in = rptr(real ? n * 48 : 48);
  P out = rptr(real ? n * 32 : 32);
  P nev = rptr(4);
  if (real && in_arena(in, real * 48)) {
    uint32_t clock_at = below(real);
    for (uint32_t i = 0; i < real; i++) {
      unsigned char *s = (unsigned char *)(uintptr_t)(in + i * 48);
      memset(s, 0, 48);
      uint64_t ud = rnd();
      memcpy(s, &ud, 8);
      uint8_t tag = i == clock_at ? 0 : (uint8_t)(chance(80) ? 1 + below(2) : r32());
      if (tag == 0 && i != clock_at) tag = 1;          /* one clock only: the bounded one */
      s[8] = tag;
      if (tag == 0) {
        uint32_t id = chance(80) ? below(4) : r32();
        uint64_t timeout = below(1000001);             /* <= 1 ms */
        uint16_t flags = (uint16_t)(chance(70) ? 0 : r32());
        if (flags & 1) timeout = chance(50) ? 0 : below(1000);  /* absolute: a time long past */
        memcpy(s + 16, &id, 4);
        memcpy(s + 24, &timeout, 8);
        uint64_t prec = rnd();
        memcpy(s + 32, &prec, 8);
        memcpy(s + 40, &flags, 2);
      } else {
        int32_t fd = rfd();
        memcpy(s + 16, &fd, 4);
      }
    }
  } else if (real) {
    /* the input is not in the arena: then it cannot contain a clock, so make sure it is invalid */
    in = (P[]){0xffffffffu, memend() + 64}[below(2)];
  }
  return w_poll_oneoff(in, out, n, nev);
}

static R call(int f) {
  uint32_t n, l1, l2;
  P p1, p2;
  int32_t fd;
  switch (f) {
    case F_args_get: return w_args_get(rptr(64), rptr(256));
    case F_args_sizes_get: return w_args_sizes_get(rptr(4), rptr(4));
    case F_environ_get: return w_environ_get(rptr(64), rptr(512));
    case F_environ_sizes_get: return w_environ_sizes_get(rptr(4), rptr(4));
    case F_clock_res_get: return w_clock_res_get(chance(80) ? below(5) : r32(), rptr(8));
    case F_clock_time_get: return w_clock_time_get(chance(80) ? below(5) : r32(), rnd(), rptr(8));
    case F_fd_advise: return w_fd_advise(rfd(), roff(), roff(), chance(80) ? below(6) : r32());
    case F_fd_allocate: return w_fd_allocate(rfd(), roff(), roff());
    case F_fd_close: {
      fd = rfd();
      if (protected_fd(fd)) fd = 4 + below(8);
      R r = w_fd_close(fd);
      if (r == 0) last_closed = fd;
      return r;
    }
    case F_fd_datasync: return w_fd_datasync(rfd());
    case F_fd_fdstat_get: return w_fd_fdstat_get(rfd(), rptr(24));
    case F_fd_fdstat_set_flags: return w_fd_fdstat_set_flags(rfd(), rflags(31));
    case F_fd_fdstat_set_rights: return w_fd_fdstat_set_rights(rfd(), rnd(), rnd());
    case F_fd_filestat_get: return w_fd_filestat_get(rfd(), rptr(64));
    case F_fd_filestat_set_size: return w_fd_filestat_set_size(rfd(), roff());
    case F_fd_filestat_set_times: return w_fd_filestat_set_times(rfd(), rtime(), rtime(), rflags(15));
    case F_fd_pread: fd = rfd(); p1 = riov(&n, 0); return w_fd_pread(fd, p1, n, roff(), rptr(4));
    case F_fd_prestat_get: return w_fd_prestat_get(rfd(), rptr(8));
    case F_fd_prestat_dir_name: l1 = rlen(); return w_fd_prestat_dir_name(rfd(), rptr(l1), l1);
    case F_fd_pwrite: fd = rfd(); p1 = riov(&n, stdio_out(fd)); return w_fd_pwrite(fd, p1, n, roff(), rptr(4));
    case F_fd_read: fd = rfd(); p1 = riov(&n, 0); return w_fd_read(fd, p1, n, rptr(4));
    case F_fd_readdir: fd = rfd(); l1 = rlen(); p1 = rptr(l1);
      return w_fd_readdir(fd, p1, l1, chance(70) ? below(30) : roff(), rptr(4));
    case F_fd_renumber: {
      int32_t a = rfd(), b = rfd();
      if (protected_fd(a)) a = 4 + below(8);
      if (protected_fd(b)) b = 4 + below(8);
      return w_fd_renumber(a, b);
    }
    case F_fd_seek: return w_fd_seek(rfd(), (int64_t)roff(), chance(80) ? below(3) : r32(), rptr(8));
    case F_fd_sync: return w_fd_sync(rfd());
    case F_fd_tell: return w_fd_tell(rfd(), rptr(8));
    case F_fd_write: fd = rfd(); p1 = riov(&n, stdio_out(fd)); return w_fd_write(fd, p1, n, rptr(4));
    case F_path_create_directory: p1 = rpath(&l1); return w_path_create_directory(rdirfd(), p1, l1);
    case F_path_filestat_get: p1 = rpath(&l1); return w_path_filestat_get(rdirfd(), rflags(1), p1, l1, rptr(64));
    case F_path_filestat_set_times: p1 = rpath(&l1);
      return w_path_filestat_set_times(rdirfd(), rflags(1), p1, l1, rtime(), rtime(), rflags(15));
    case F_path_link: p1 = rpath(&l1); p2 = rpath(&l2); return w_path_link(rdirfd(), rflags(1), p1, l1, rdirfd(), p2, l2);
    case F_path_open: {
      p1 = rpath(&l1);
      P out = rptr(4);
      R r;
      if (chance(50)) {                                  /* well-formed: so that there are open fds to fuzz */
        static const uint32_t ofl[] = {0, 0, 1, 1 | 8, 2, 1 | 4, 8};
        out = A(below(ARENA - 4));
        if (chance(50)) {                                /* a short path that recurs: tmp/fz/a, host/fz/b/c... */
          static char sp[32];
          int m = snprintf(sp, sizeof sp, "%s/fz/%s", chance(50) ? "tmp" : "host", vocab[5 + below(3)]);
          if (chance(30)) m += snprintf(sp + m, sizeof sp - m, "/%s", vocab[5 + below(3)]);
          p1 = A(ARENA / 2 + below(ARENA / 2 - 64));
          memcpy((void *)(uintptr_t)p1, sp, m);
          l1 = (uint32_t)m;
        }
        r = w_path_open(chance(80) ? 3 : rdirfd(), 1, p1, l1, ofl[below(7)], chance(80) ? (1ull << 29) - 1 : 2, 0, chance(20), out);
      } else {
        uint64_t rights = chance(50) ? (1ull << 29) - 1 : rnd();
        r = w_path_open(rdirfd(), rflags(1), p1, l1, rflags(15), rights, rnd(), rflags(31), out);
      }
      uint32_t nfd;
      if (r == 0 && arena_u32(out, &nfd)) {
        remember((int32_t)nfd);
        if (npool == 16 && chance(50)) {                 /* keep the table from filling up for good */
          int32_t victim = pool[below(16)];
          if (!protected_fd(victim) && w_fd_close(victim) == 0) last_closed = victim;
        }
      }
      return r;
    }
    case F_path_readlink: p1 = rpath(&l1); l2 = rlen(); p2 = rptr(l2);
      return w_path_readlink(rdirfd(), p1, l1, p2, l2, rptr(4));
    case F_path_remove_directory: p1 = rpath(&l1); return w_path_remove_directory(rdirfd(), p1, l1);
    case F_path_rename: p1 = rpath(&l1); p2 = rpath(&l2); return w_path_rename(rdirfd(), p1, l1, rdirfd(), p2, l2);
    case F_path_symlink: p1 = rpath(&l1); p2 = rpath(&l2); return w_path_symlink(p1, l1, rdirfd(), p2, l2);
    case F_path_unlink_file: p1 = rpath(&l1); return w_path_unlink_file(rdirfd(), p1, l1);
    case F_poll_oneoff: return do_poll();
    case F_proc_raise: {
      /* ignored by default (WASI CHLD, URG, WINCH), 0, or invalid numbers */
      static const uint32_t sigs[] = {0, 16, 22, 27, 64, 65, 200, 0xffffffffu, 0x80000000u, 1000};
      return w_proc_raise(sigs[below(10)]);
    }
    case F_sched_yield: return w_sched_yield();
    case F_random_get: l1 = rlen(); return w_random_get(rptr(l1), l1);
    case F_sock_accept: return w_sock_accept(rfd(), rflags(4), rptr(4));
    case F_sock_recv: fd = rfd(); p1 = riov(&n, 0); return w_sock_recv(fd, p1, n, rflags(3), rptr(4), rptr(2));
    case F_sock_send: fd = rfd(); p1 = riov(&n, stdio_out(fd)); return w_sock_send(fd, p1, n, rflags(0), rptr(4));
    case F_sock_shutdown: return w_sock_shutdown(rfd(), rflags(3));
  }
  return 0;
}

static unsigned long calls[NFUNCS], oks[NFUNCS], hist[77];

int main(int argc, char **argv) {
  uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
  unsigned long iters = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
  rs ^= seed * 0x9E3779B97F4A7C15ull;
  if (!rs) rs = 1;
  for (int i = 0; i < 8; i++) rnd();

  /* working directories, so that path calls find something to act on */
  static const char *dirs[] = {"tmp/fz", "host/fz", "tmp/fz/a", "host/fz/a"};
  for (int i = 0; i < 4; i++) {
    size_t l = strlen(dirs[i]);
    memcpy(arena, dirs[i], l);
    w_path_create_directory(3, A(0), l);
  }

  unsigned long total = 0, bad = 0;
  int shown = 0;
  char badlines[10][80];
  for (unsigned long i = 0; i < iters; i++) {
    int f = below(NFUNCS - 1); /* everything but proc_exit */
    R r = call(f);
    calls[f]++;
    total++;
    if (r >= 0 && r <= 76) {
      hist[r]++;
      if (r == 0) oks[f]++;
    } else {
      bad++;
      if (shown < 10) snprintf(badlines[shown++], 80, "bad %s returned %d", names[f], (int)r);
    }
  }

  calls[F_proc_exit]++;
  total++;
  for (int f = 0; f < NFUNCS; f++) printf("fn %s calls=%lu ok=%lu\n", names[f], calls[f], oks[f]);
  printf("errnos:");
  for (int e = 0; e <= 76; e++) if (hist[e]) printf(" %d:%lu", e, hist[e]);
  printf("\n");
  for (int i = 0; i < shown; i++) printf("%s\n", badlines[i]);
  printf("calls=%lu bad_errno=%lu\n", total, bad);
  fflush(stdout);
  w_proc_exit(0);
}
