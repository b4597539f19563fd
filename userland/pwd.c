/*
 * pwd [-L|-P]: the current directory. -P (the default, as GNU's /bin/pwd): the physical path
 * from getcwd. -L: $PWD when it is absolute, has no "." or ".." components and names the
 * current directory.
 */
#include <sys/stat.h>
#include "common.h"

static int pwd_env_ok(const char *p) {
  if (!p || p[0] != '/') return 0;
  for (const char *s = p; *s; s++) {
    if (s[0] == '/' && s[1] == '.' && (s[2] == '/' || s[2] == '\0')) return 0;
    if (s[0] == '/' && s[1] == '.' && s[2] == '.' && (s[3] == '/' || s[3] == '\0')) return 0;
  }
  struct stat a, b;
  if (stat(p, &a) != 0 || stat(".", &b) != 0) return 0;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int main(int argc, char **argv) {
  ul_setprog("pwd");
  struct ul_getopt g;
  int logical = 0, c;
  ul_getopt_init(&g, argc, argv, "LP", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    if (c == 0) ul_bad_long(&g);
    logical = c == 'L';
  }
  if (g.nops > 0) ul_err("ignoring non-option arguments");
  const char *env = getenv("PWD");
  if (logical && pwd_env_ok(env)) {
    puts(env);
    return ul_flush_stdout();
  }
  char buf[4096];
  if (!getcwd(buf, sizeof buf)) {
    ul_err("cannot determine current directory: %s", strerror(errno));
    return 1;
  }
  puts(buf);
  return ul_flush_stdout();
}
