// Null-syscall latency: the cheapest call that crosses into the kernel and touches kernel state.
//
//   Wasm (LibOS and node:wasi): fd_fdstat_get(1, &st), imported directly from
//     wasi_snapshot_preview1 so that the program runs under any WASI runtime. In occlum-ts it
//     crosses the SyscallChannel and looks fd 1 up in the kernel's fd table.
//   Native (gcc): fcntl(1, F_GETFL), the Linux call that reads the same fd-table entry.
//
// Usage: syscall <warmup> <timed> <batch> [max_seconds]
//   1. <warmup> untimed calls (JIT tier-up, spin loops warmed);
//   2. <timed> empty timer pairs, clock_gettime(CLOCK_MONOTONIC) back to back: the overhead
//      of the timer itself;
//   3. <timed> calls, each between two clock_gettime: per-call latency (timer included);
//   4. <batch> calls between one pair of clock_gettime: mean cost without timer overhead.
// Phases 3 and 4 stop early after max_seconds each (default 5): when hand-offs fall onto the
// sleeping path (tens of µs per call) the run stays bounded.
// Output, one "key value" per line (ns): timer_{p50,p99,mean}, call_{p50,p99,p999,max,mean},
// call_over_{10us,100us} (counts), call_count, batch_mean, batch_count, result (must be 0).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef __wasm__
typedef struct {
  uint8_t fs_filetype;
  uint16_t fs_flags;
  uint64_t fs_rights_base;
  uint64_t fs_rights_inheriting;
} bench_fdstat_t;

__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_fdstat_get")))
int32_t bench_fd_fdstat_get(int32_t fd, bench_fdstat_t *st);

static inline int null_syscall(void) {
  bench_fdstat_t st;
  return bench_fd_fdstat_get(1, &st);
}
#else
#include <fcntl.h>
static inline int null_syscall(void) {
  return fcntl(1, F_GETFL) < 0 ? -1 : 0;
}
#endif

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/** Nearest-rank percentile of a sorted array. */
static uint32_t pct(const uint32_t *v, long n, double p) {
  long i = (long)(p * (double)n + 0.5) - 1;
  if (i < 0) i = 0;
  if (i >= n) i = n - 1;
  return v[i];
}

static double mean(const uint32_t *v, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += v[i];
  return s / (double)n;
}

static uint32_t clamp32(uint64_t d) { return d > 0xffffffffu ? 0xffffffffu : (uint32_t)d; }

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s <warmup> <timed> <batch>\n", argv[0]);
    return 2;
  }
  long warmup = atol(argv[1]), timed = atol(argv[2]), batch = atol(argv[3]);
  uint64_t cap_ns = (uint64_t)((argc > 4 ? atof(argv[4]) : 5.0) * 1e9);
  if (warmup < 0 || timed < 1 || batch < 1 || cap_ns == 0) return 2;
  uint32_t *lat = malloc(sizeof(uint32_t) * (size_t)timed);
  if (!lat) return 3;
  int bad = 0;

  for (long i = 0; i < warmup; i++) bad |= null_syscall();

  // Empty timer pairs (also warms the clock path).
  for (long i = 0; i < timed; i++) {
    uint64_t t0 = now_ns();
    uint64_t t1 = now_ns();
    lat[i] = clamp32(t1 - t0);
  }
  qsort(lat, (size_t)timed, sizeof(uint32_t), cmp_u32);
  printf("timer_p50 %u\ntimer_p99 %u\ntimer_mean %.1f\n", pct(lat, timed, 0.50), pct(lat, timed, 0.99), mean(lat, timed));

  // Individually timed calls.
  uint64_t start = now_ns();
  long n = 0;
  while (n < timed) {
    uint64_t t0 = now_ns();
    bad |= null_syscall();
    uint64_t t1 = now_ns();
    lat[n++] = clamp32(t1 - t0);
    if ((n & 1023) == 0 && t1 - start > cap_ns) break;
  }
  timed = n;
  long over10 = 0, over100 = 0;
  for (long i = 0; i < timed; i++) {
    if (lat[i] > 10000) over10++;
    if (lat[i] > 100000) over100++;
  }
  qsort(lat, (size_t)timed, sizeof(uint32_t), cmp_u32);
  printf("call_p50 %u\ncall_p99 %u\ncall_p999 %u\ncall_max %u\ncall_mean %.1f\n", pct(lat, timed, 0.50),
         pct(lat, timed, 0.99), pct(lat, timed, 0.999), lat[timed - 1], mean(lat, timed));
  printf("call_over_10us %ld\ncall_over_100us %ld\ncall_count %ld\n", over10, over100, timed);

  // One block of calls.
  uint64_t b0 = now_ns(), b1 = b0;
  long done = 0;
  while (done < batch) {
    for (int i = 0; i < 1024 && done < batch; i++, done++) bad |= null_syscall();
    b1 = now_ns();
    if (b1 - b0 > cap_ns) break;
  }
  printf("batch_mean %.1f\nbatch_count %ld\n", (double)(b1 - b0) / (double)done, done);
  printf("result %d\n", bad);
  free(lat);
  return bad != 0;
}
