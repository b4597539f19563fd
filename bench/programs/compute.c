// CPU-bound kernels, each timed inside the program with clock_gettime(CLOCK_MONOTONIC).
// Compiled to Wasm (-O2, occlum-cc) and natively (gcc -O2); the checksums must be equal.
//
// Usage: compute [kernel...]   (no names = all)
// Output, one line per kernel: "<name> <ns> <checksum>", then "done <n>". Only the kernel proper
// is timed (between START and STOP); input generation, allocation and checksums are not.
//
//   sha256   SHA-256 over 64 MiB of pseudo-random bytes (integer rotates, 32-bit arithmetic)
//   qsort    own quicksort (median of three + insertion sort) of 4M pseudo-random ints
//   nbody    n-body, 5 bodies x 5M steps (the Benchmarks Game kernel: doubles, sqrt)
//   matmul   1024x1024 double matrix multiply, i-k-j order (memory streaming, FP adds)
//   sieve    sieve of Eratosthenes up to 32M, one byte per number (byte stores, strides)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t t_start, t_elapsed;
#define START() (t_start = now_ns())
#define STOP() (t_elapsed = now_ns() - t_start)

static uint64_t rng_state;
static uint64_t rng(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// ---------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4)

static const uint32_t K256[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t i = 0;
  for (; i + 64 <= len; i += 64) sha256_block(h, data + i);
  uint8_t tail[128] = {0};
  size_t rest = len - i;
  memcpy(tail, data + i, rest);
  tail[rest] = 0x80;
  size_t tlen = rest + 9 <= 64 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int k = 0; k < 8; k++) tail[tlen - 1 - k] = (uint8_t)(bits >> (8 * k));
  for (size_t k = 0; k < tlen; k += 64) sha256_block(h, tail + k);
  for (int k = 0; k < 8; k++) {
    out[4 * k] = (uint8_t)(h[k] >> 24); out[4 * k + 1] = (uint8_t)(h[k] >> 16);
    out[4 * k + 2] = (uint8_t)(h[k] >> 8); out[4 * k + 3] = (uint8_t)h[k];
  }
}

static void run_sha256(char *check) {
  size_t len = 64u << 20;
  uint8_t *buf = malloc(len);
  if (!buf) { strcpy(check, "oom"); return; }
  rng_state = 1;
  for (size_t i = 0; i < len; i += 8) { uint64_t r = rng(); memcpy(buf + i, &r, 8); }
  uint8_t d[32];
  START();
  sha256(buf, len, d);
  STOP();
  for (int i = 0; i < 32; i++) sprintf(check + 2 * i, "%02x", d[i]);
  free(buf);
}

// ---------------------------------------------------------------------------------------------
// Quicksort

static void insertion_sort(int32_t *a, long n) {
  for (long i = 1; i < n; i++) {
    int32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

static void quicksort(int32_t *a, long n) {
  while (n > 16) {
    long m = n / 2;
    int32_t x = a[0], y = a[m], z = a[n - 1];
    int32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      int32_t t = a[i]; a[i] = a[j]; a[j] = t;
      i++; j--;
    }
    // [0, j] <= pivot <= [j+1, n): recurse into the smaller part, loop on the larger.
    long left = j + 1;
    if (left < n - left) { quicksort(a, left); a += left; n -= left; }
    else { quicksort(a + left, n - left); n = left; }
  }
  insertion_sort(a, n);
}

static void run_qsort(char *check) {
  long n = 4L << 20;
  int32_t *a = malloc(sizeof(int32_t) * (size_t)n);
  if (!a) { strcpy(check, "oom"); return; }
  rng_state = 2;
  for (long i = 0; i < n; i++) a[i] = (int32_t)(uint32_t)rng();
  START();
  quicksort(a, n);
  STOP();
  uint64_t h = 1469598103934665603ull;
  int sorted = 1;
  for (long i = 0; i < n; i++) {
    if (i > 0 && a[i - 1] > a[i]) sorted = 0;
    h = (h ^ (uint32_t)a[i]) * 1099511628211ull;
  }
  sprintf(check, "%s-%016llx", sorted ? "sorted" : "UNSORTED", (unsigned long long)h);
  free(a);
}

// ---------------------------------------------------------------------------------------------
// n-body (5 bodies, Benchmarks Game)

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

struct body { double x, y, z, vx, vy, vz, mass; };

static void advance(struct body *b, int n, double dt) {
  for (int i = 0; i < n; i++) {
    for (int j = i + 1; j < n; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * sqrt(d2));
      b[i].vx -= dx * b[j].mass * mag; b[i].vy -= dy * b[j].mass * mag; b[i].vz -= dz * b[j].mass * mag;
      b[j].vx += dx * b[i].mass * mag; b[j].vy += dy * b[i].mass * mag; b[j].vz += dz * b[i].mass * mag;
    }
  }
  for (int i = 0; i < n; i++) { b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz; }
}

static double energy(const struct body *b, int n) {
  double e = 0;
  for (int i = 0; i < n; i++) {
    e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < n; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void run_nbody(char *check) {
  struct body b[5] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
     7.69901118419740425e-03 * DAYS_PER_YEAR, -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS_PER_YEAR,
     4.99852801234917238e-03 * DAYS_PER_YEAR, 2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
     2.37847173959480950e-03 * DAYS_PER_YEAR, -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS_PER_YEAR,
     1.62824170038242295e-03 * DAYS_PER_YEAR, -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
  };
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < 5; i++) { px += b[i].vx * b[i].mass; py += b[i].vy * b[i].mass; pz += b[i].vz * b[i].mass; }
  b[0].vx = -px / SOLAR_MASS; b[0].vy = -py / SOLAR_MASS; b[0].vz = -pz / SOLAR_MASS;
  double e0 = energy(b, 5);
  START();
  for (int s = 0; s < 5000000; s++) advance(b, 5, 0.01);
  STOP();
  sprintf(check, "%.9f/%.9f", e0, energy(b, 5));
}

// ---------------------------------------------------------------------------------------------
// Matrix multiply

static void run_matmul(char *check) {
  int n = 1024;
  double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n), *c = calloc((size_t)n * n, sizeof(double));
  if (!a || !b || !c) { strcpy(check, "oom"); return; }
  rng_state = 3;
  for (int i = 0; i < n * n; i++) { a[i] = (double)(rng() % 1000) / 100.0; b[i] = (double)(rng() % 1000) / 100.0; }
  START();
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
  STOP();
  double s = 0;
  for (int i = 0; i < n * n; i++) s += c[i] * (double)(i % 7 + 1);
  sprintf(check, "%.6f", s);
  free(a); free(b); free(c);
}

// ---------------------------------------------------------------------------------------------
// Sieve

static void run_sieve(char *check) {
  long n = 32L << 20;
  uint8_t *comp = calloc((size_t)n + 1, 1);
  if (!comp) { strcpy(check, "oom"); return; }
  START();
  for (long i = 2; i * i <= n; i++)
    if (!comp[i])
      for (long j = i * i; j <= n; j += i) comp[j] = 1;
  STOP();
  long count = 0, last = 0;
  for (long i = 2; i <= n; i++) if (!comp[i]) { count++; last = i; }
  sprintf(check, "%ld/%ld", count, last);
  free(comp);
}

// ---------------------------------------------------------------------------------------------

struct kernel { const char *name; void (*run)(char *check); };
static const struct kernel KERNELS[] = {
  {"sha256", run_sha256}, {"qsort", run_qsort}, {"nbody", run_nbody}, {"matmul", run_matmul}, {"sieve", run_sieve},
};
#define NKERNELS (sizeof(KERNELS) / sizeof(KERNELS[0]))

int main(int argc, char **argv) {
  int ran = 0;
  for (size_t k = 0; k < NKERNELS; k++) {
    int want = argc < 2;
    for (int i = 1; i < argc; i++) if (strcmp(argv[i], KERNELS[k].name) == 0) want = 1;
    if (!want) continue;
    char check[128] = "";
    t_elapsed = 0;
    KERNELS[k].run(check);
    printf("%s %llu %s\n", KERNELS[k].name, (unsigned long long)t_elapsed, check);
    fflush(stdout);
    ran++;
  }
  printf("done %d\n", ran);
  return ran > 0 ? 0 : 2;
}
