/*
 * uname [-asnrvmpio]: system information. Without options, -s. -a: all of them except -p and
 * -i when they are "unknown" (as GNU's uname).
 */
#include <sys/utsname.h>
#include "common.h"

#if defined(__GLIBC__)
#define UL_OS "GNU/Linux"
#else
#define UL_OS "Linux"
#endif

enum { S = 1, N = 2, R = 4, V = 8, M = 16, P = 32, I = 64, O = 128 };

int main(int argc, char **argv) {
  ul_setprog("uname");
  struct ul_getopt g;
  int c, want = 0, all = 0;
  ul_getopt_init(&g, argc, argv, "asnrvmpio", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'a': all = 1; want |= S | N | R | V | M | O; break;
    case 's': want |= S; break;
    case 'n': want |= N; break;
    case 'r': want |= R; break;
    case 'v': want |= V; break;
    case 'm': want |= M; break;
    case 'p': want |= P; break;
    case 'i': want |= I; break;
    case 'o': want |= O; break;
    default:
      if (strcmp(g.arg, "all") == 0) { all = 1; want |= S | N | R | V | M | O; }
      else if (strcmp(g.arg, "kernel-name") == 0) want |= S;
      else if (strcmp(g.arg, "nodename") == 0) want |= N;
      else if (strcmp(g.arg, "kernel-release") == 0) want |= R;
      else if (strcmp(g.arg, "kernel-version") == 0) want |= V;
      else if (strcmp(g.arg, "machine") == 0) want |= M;
      else if (strcmp(g.arg, "processor") == 0) want |= P;
      else if (strcmp(g.arg, "hardware-platform") == 0) want |= I;
      else if (strcmp(g.arg, "operating-system") == 0) want |= O;
      else ul_bad_long(&g);
    }
  }
  if (g.nops > 0) ul_usage_error(1, "extra operand %s", ul_q(g.ops[0]));
  if (want == 0) want = S;
  struct utsname u;
  if (uname(&u) != 0) {
    ul_err("cannot get system name: %s", strerror(errno));
    return 1;
  }
  const char *fields[8] = {u.sysname, u.nodename, u.release, u.version, u.machine, "unknown", "unknown", UL_OS};
  int first = 1;
  for (int i = 0; i < 8; i++) {
    if (!(want & (1 << i))) continue;
    if (all && (i == 5 || i == 6) && strcmp(fields[i], "unknown") == 0) continue;
    if (!first) putchar(' ');
    fputs(fields[i], stdout);
    first = 0;
  }
  putchar('\n');
  return ul_flush_stdout();
}
