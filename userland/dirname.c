/* dirname NAME...: each NAME without its last component ("a/b" -> "a", "b" -> ".", "/" -> "/"). -z: NUL-terminated. */
#include "common.h"

static void print_dir(const char *s, char end) {
  size_t n = strlen(s);
  while (n > 1 && s[n - 1] == '/') n--;        /* trailing slashes */
  while (n > 0 && s[n - 1] != '/') n--;        /* the last component */
  if (n == 0) {
    fputs(".", stdout);
  } else {
    while (n > 1 && s[n - 1] == '/') n--;      /* slashes before it */
    fwrite(s, 1, n, stdout);
  }
  putchar(end);
}

int main(int argc, char **argv) {
  ul_setprog("dirname");
  struct ul_getopt g;
  int c;
  char end = '\n';
  ul_getopt_init(&g, argc, argv, "z", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    if (c == 0 && strcmp(g.arg, "zero") != 0) ul_bad_long(&g);
    end = '\0';
  }
  if (g.nops < 1) ul_usage_error(1, "missing operand");
  for (int i = 0; i < g.nops; i++) print_dir(g.ops[i], end);
  return ul_flush_stdout();
}
