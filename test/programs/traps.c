/* traps.c: programs that end abnormally, one per argument.
 *   oob        store far beyond linear memory       -> SIGSEGV
 *   trap       __builtin_trap()                     -> SIGILL
 *   abort      abort()                              -> SIGILL (wasi-libc's abort is a trap)
 *   div0       integer division by a volatile zero  -> SIGFPE
 *   recurse    unbounded recursion                  -> SIGSEGV
 *   spin       prints "spinning", then computes forever (to be killed)
 *   hello      prints "hello from traps" and exits 0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int depth(volatile int n) {
  volatile char pad[256];
  pad[n & 255] = (char)n;
  return depth(n + 1) + pad[(n + 1) & 255];
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "hello";
  printf("%s: start\n", what);
  fflush(stdout);
  if (!strcmp(what, "oob")) {
    volatile int *p = (volatile int *)(uintptr_t)0xfffffff0u;
    *p = 1;
  } else if (!strcmp(what, "trap")) {
    __builtin_trap();
  } else if (!strcmp(what, "abort")) {
    abort();
  } else if (!strcmp(what, "div0")) {
    volatile int zero = 0, x = 42;
    printf("%d\n", x / zero);
  } else if (!strcmp(what, "recurse")) {
    printf("%d\n", depth(0));
  } else if (!strcmp(what, "spin")) {
    printf("spinning\n");
    fflush(stdout);
    volatile unsigned long x = 0;
    for (;;) x = x * 6364136223846793005ul + 1442695040888963407ul;
  } else if (!strcmp(what, "hello")) {
    printf("hello from traps\n");
    return 0;
  }
  printf("%s: not reached\n", what);
  return 1;
}
