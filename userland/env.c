/*
 * env [-i] [-u NAME]... [-0] [-C DIR] [NAME=VALUE]... [COMMAND [ARG]...]: prints the environment,
 * or runs COMMAND (searched in PATH, via execvp) in a modified one. Exit status: COMMAND's, 125
 * for env's own errors, 126 if COMMAND cannot run, 127 if it is not found (as GNU env).
 */
#include "common.h"

extern char **environ;

int main(int argc, char **argv) {
  ul_setprog("env");
  int ignore = 0, nul = 0, i = 1;
  const char *dir = NULL;
  /* the -u names, applied after -i */
  char **unset = (char **)calloc((size_t)argc, sizeof *unset);
  int nunset = 0;
  if (!unset) return 125;
  for (; i < argc; i++) {
    char *a = argv[i];
    if (strcmp(a, "-") == 0) {
      ignore = 1;
      continue;
    }
    if (a[0] != '-' || a[1] == '\0') break;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (strcmp(a, "--ignore-environment") == 0) { ignore = 1; continue; }
    if (strcmp(a, "--null") == 0) { nul = 1; continue; }
    if (strncmp(a, "--unset=", 8) == 0) { unset[nunset++] = a + 8; continue; }
    if (strncmp(a, "--chdir=", 8) == 0) { dir = a + 8; continue; }
    if (a[1] == '-') ul_usage_error(125, "unrecognized option '%s'", a);
    for (char *p = a + 1; *p; p++) {
      if (*p == 'i') {
        ignore = 1;
      } else if (*p == '0') {
        nul = 1;
      } else if (*p == 'u' || *p == 'C') {
        char *v = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
          char m[2] = {*p, 0};
          ul_usage_error(125, "option requires an argument -- '%s'", m);
        }
        if (*p == 'u') unset[nunset++] = v;
        else dir = v;
        break;
      } else {
        char m[2] = {*p, 0};
        ul_usage_error(125, "invalid option -- '%s'", m);
      }
    }
  }
  if (ignore) {
    static char *empty[] = {NULL};
    environ = empty;
  }
  for (int k = 0; k < nunset; k++) {
    if (unsetenv(unset[k]) != 0) {
      ul_err("cannot unset %s: %s", ul_q(unset[k]), strerror(errno));
      return 125;
    }
  }
  for (; i < argc && strchr(argv[i], '='); i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == argv[i]) {
      ul_err("cannot set %s: %s", ul_q(argv[i]), strerror(EINVAL));
      return 125;
    }
    *eq = '\0';
    int r = setenv(argv[i], eq + 1, 1);
    *eq = '=';
    if (r != 0) {
      ul_err("cannot set %s: %s", ul_q(argv[i]), strerror(errno));
      return 125;
    }
  }
  if (dir && i >= argc) {
    ul_err("must specify command with --chdir (-C)");
    ul_try_help();
    return 125;
  }
  if (dir && chdir(dir) != 0) {
    ul_err("cannot change directory to %s: %s", ul_q(dir), strerror(errno));
    return 125;
  }
  if (i >= argc) {
    for (char **e = environ; e && *e; e++) {
      fputs(*e, stdout);
      putchar(nul ? '\0' : '\n');
    }
    return ul_flush_stdout() ? 125 : 0;
  }
  fflush(stdout);
  execvp(argv[i], argv + i);
  int e = errno;
  ul_err("%s: %s", ul_q(argv[i]), strerror(e));
  return e == ENOENT ? 127 : 126;
}
