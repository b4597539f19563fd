/*
 * basename NAME [SUFFIX] | basename -a [-s SUFFIX] NAME...: NAME without its leading directories
 * and (when it is not the whole rest) the SUFFIX. -z ends lines with NUL.
 */
#include "common.h"

static void print_base(const char *name, const char *suffix, char end) {
  size_t n = strlen(name);
  while (n > 1 && name[n - 1] == '/') n--;
  size_t start = n;
  while (start > 0 && name[start - 1] != '/') start--;
  if (n == 1 && name[0] == '/') start = 0; /* "/" (or "///") stays "/" */
  size_t len = n - start;
  if (suffix && !(n == 1 && name[0] == '/')) {
    size_t sl = strlen(suffix);
    if (sl < len && memcmp(name + start + len - sl, suffix, sl) == 0) len -= sl;
  }
  fwrite(name + start, 1, len, stdout);
  putchar(end);
}

int main(int argc, char **argv) {
  ul_setprog("basename");
  struct ul_getopt g;
  int multiple = 0, c;
  char end = '\n';
  const char *suffix = NULL;
  ul_getopt_init(&g, argc, argv, "as:z", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'a': multiple = 1; break;
    case 's': suffix = g.arg; multiple = 1; break;
    case 'z': end = '\0'; break;
    default:
      if (strncmp(g.arg, "suffix=", 7) == 0) { suffix = g.arg + 7; multiple = 1; }
      else if (strcmp(g.arg, "multiple") == 0) multiple = 1;
      else if (strcmp(g.arg, "zero") == 0) end = '\0';
      else ul_bad_long(&g);
    }
  }
  if (g.nops < 1) ul_usage_error(1, "missing operand");
  if (multiple) {
    for (int i = 0; i < g.nops; i++) print_base(g.ops[i], suffix, end);
  } else {
    if (g.nops > 2) ul_usage_error(1, "extra operand %s", ul_q(g.ops[2]));
    print_base(g.ops[0], g.nops == 2 ? g.ops[1] : NULL, end);
  }
  return ul_flush_stdout();
}
