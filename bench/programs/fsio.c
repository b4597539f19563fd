// File I/O throughput: sequential and random reads and writes of one file, timed inside the
// program (the file system is what differs between runs: sefs on SwornDisk or PfsDisk, hostfs,
// native Linux).
//
// Usage: fsio <dir> <file_mib> [rand_mib]
//   1. seq-write:  create <dir>/fsio.dat, write <file_mib> MiB in 256 KiB writes, fsync, close
//                  (fsync_on_close=1 as in fio: the fsync is timed);
//   2. seq-read:   read it back in 256 KiB reads, checking every block's stamp;
//   3. rand-write: <rand_mib> MiB (default file_mib / 4) of 4 KiB pwrites at seeded random
//                  block-aligned offsets, fsync (timed);
//   4. rand-read:  <rand_mib> MiB of 4 KiB preads at other seeded random offsets, checking stamps;
//   then the file is removed.
// Every 4 KiB block starts with a stamp (block number, generation): reads verify that the file
// system returned the right data. Output, one "key value" per line: <phase>_bytes, <phase>_ns for
// seq_write, seq_read, rand_write, rand_read; then "errors 0".
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLK 4096
#define SEQ_BS (256 * 1024)

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void) {  // xorshift64
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void stamp(unsigned char *b, uint32_t blk, uint32_t gen) {
  memcpy(b, &blk, 4);
  memcpy(b + 4, &gen, 4);
}

static int check(const unsigned char *b, uint32_t blk, uint32_t gen0, uint32_t gen1) {
  uint32_t gb, gg;
  memcpy(&gb, b, 4);
  memcpy(&gg, b + 4, 4);
  return gb == blk && (gg == gen0 || gg == gen1);
}

static void report(const char *phase, long long bytes, long long ns) {
  printf("%s_bytes %lld\n%s_ns %lld\n", phase, bytes, phase, ns);
}

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: fsio <dir> <file_mib> [rand_mib]\n");
    return 2;
  }
  long long size = atoll(argv[2]) * 1024 * 1024;
  long long rand_bytes = argc > 3 ? atoll(argv[3]) * 1024 * 1024 : size / 4;
  long long nblocks = size / BLK;
  char file[4096];
  snprintf(file, sizeof file, "%s/fsio.dat", argv[1]);
  unsigned char *buf = malloc(SEQ_BS);
  if (!buf || size < SEQ_BS) return fail("size");
  for (int i = 0; i < SEQ_BS; i++) buf[i] = (unsigned char)(i * 7 + 3);
  long errors = 0;

  // 1. seq-write (generation 1)
  long long t0 = now_ns();
  int fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) return fail("open for seq-write");
  for (long long off = 0; off < size; off += SEQ_BS) {
    for (int b = 0; b < SEQ_BS / BLK; b++) stamp(buf + b * BLK, (uint32_t)(off / BLK + b), 1);
    if (write(fd, buf, SEQ_BS) != SEQ_BS) return fail("write");
  }
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) return fail("close");
  report("seq_write", size, now_ns() - t0);

  // 2. seq-read
  t0 = now_ns();
  fd = open(file, O_RDONLY);
  if (fd < 0) return fail("open for seq-read");
  for (long long off = 0; off < size; off += SEQ_BS) {
    if (read(fd, buf, SEQ_BS) != SEQ_BS) return fail("read");
    for (int b = 0; b < SEQ_BS / BLK; b++) errors += !check(buf + b * BLK, (uint32_t)(off / BLK + b), 1, 1);
  }
  close(fd);
  report("seq_read", size, now_ns() - t0);

  // 3. rand-write (generation 2)
  long long ops = rand_bytes / BLK;
  t0 = now_ns();
  fd = open(file, O_RDWR);
  if (fd < 0) return fail("open for rand-write");
  for (long long i = 0; i < ops; i++) {
    long long blk = (long long)(next_rand() % (uint64_t)nblocks);
    stamp(buf, (uint32_t)blk, 2);
    if (pwrite(fd, buf, BLK, blk * BLK) != BLK) return fail("pwrite");
  }
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) return fail("close");
  report("rand_write", ops * BLK, now_ns() - t0);

  // 4. rand-read (a block holds generation 1 or 2)
  t0 = now_ns();
  fd = open(file, O_RDONLY);
  if (fd < 0) return fail("open for rand-read");
  for (long long i = 0; i < ops; i++) {
    long long blk = (long long)(next_rand() % (uint64_t)nblocks);
    if (pread(fd, buf, BLK, blk * BLK) != BLK) return fail("pread");
    errors += !check(buf, (uint32_t)blk, 1, 2);
  }
  close(fd);
  report("rand_read", ops * BLK, now_ns() - t0);

  if (unlink(file) != 0) return fail("unlink");
  printf("errors %ld\n", errors);
  return errors == 0 ? 0 : 1;
}
