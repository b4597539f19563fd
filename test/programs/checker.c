/* checker.c: a well-behaved program with a deterministic result, to run next to the fuzzer.
 * Computes a hash over `rounds` rounds of file I/O in two directories (created and removed
 * here) plus some pure computation, and prints "rounds=<n> checksum=<hex> errors=<n>".
 * usage: checker <dir1> <dir2> <rounds>      (the output never mentions the directories)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t h = 1469598103934665603ull;
static int errors;

static void mix(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 1099511628211ull; }
}

static void fail(const char *what) {
  if (errors++ < 5) printf("error: %s\n", what);
}

static void round_in(const char *dir, int i) {
  static unsigned char out[9000], in[9000];
  char path[1200], path2[1200];
  size_t len = 1000 + (size_t)(i * 37) % 8000;
  uint32_t x = (uint32_t)i * 2654435761u + 1;
  for (size_t k = 0; k < len; k++) { x = x * 1103515245u + 12345u; out[k] = (unsigned char)(x >> 16); }
  snprintf(path, sizeof path, "%s/f%d", dir, i % 8);
  snprintf(path2, sizeof path2, "%s/g%d", dir, i % 8);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { fail("open"); return; }
  if (write(fd, out, len) != (ssize_t)len) fail("write");
  if (pwrite(fd, "PATCH", 5, len / 2) != 5) fail("pwrite");
  memcpy(out + len / 2, "PATCH", 5);
  if (lseek(fd, 0, SEEK_SET) != 0) fail("lseek");
  ssize_t n = read(fd, in, sizeof in);
  if (n != (ssize_t)len || memcmp(in, out, len) != 0) fail("read back");
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size != (off_t)len) fail("fstat");
  close(fd);
  mix(in, n > 0 ? (size_t)n : 0);
  if (i % 10 == 9) {
    if (rename(path, path2) != 0) fail("rename");
    if (unlink(path2) != 0) fail("unlink");
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: checker <dir1> <dir2> <rounds>\n"); return 2; }
  int rounds = atoi(argv[3]);
  const char *dirs[2] = {argv[1], argv[2]};
  for (int d = 0; d < 2; d++) if (mkdir(dirs[d], 0755) != 0) fail("mkdir");
  for (int i = 0; i < rounds; i++) {
    round_in(dirs[i & 1], i);
    /* some pure computation between the I/O */
    uint64_t acc = (uint64_t)i;
    for (int k = 0; k < 2000; k++) acc = acc * 6364136223846793005ull + 1442695040888963407ull;
    mix(&acc, sizeof acc);
  }
  char path[1200];
  for (int d = 0; d < 2; d++) {
    for (int k = 0; k < 8; k++) { snprintf(path, sizeof path, "%s/f%d", dirs[d], k); unlink(path); }
    if (rmdir(dirs[d]) != 0) fail("rmdir");
  }
  printf("rounds=%d checksum=%016llx errors=%d\n", rounds, (unsigned long long)h, errors);
  return errors ? 1 : 0;
}
