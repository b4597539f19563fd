/*
 * mkdir [-p] [-v] [-m MODE] DIRECTORY...: creates directories; -p creates missing parents and
 * accepts existing directories. MODE is octal.
 */
#include <sys/stat.h>
#include "common.h"

static int verbose;

static int make_one(const char *path, mode_t mode) {
  if (mkdir(path, mode) != 0) return -1;
  if (verbose) printf("mkdir: created directory %s\n", ul_q(path));
  return 0;
}

/* mkdir -p: every missing component (parents with mode 0777 minus umask). Returns 0 or 1 (reported). */
static int make_parents(const char *path, mode_t mode) {
  char *p = strdup(path);
  if (!p) {
    ul_err("memory exhausted");
    return 1;
  }
  size_t n = strlen(p);
  for (size_t i = 1; i <= n; i++) {
    if (i < n && p[i] != '/') continue;
    if (i < n && p[i - 1] == '/') continue; /* "a//b" */
    char saved = p[i];
    p[i] = '\0';
    int last = i == n || strspn(p + i + 1, "/") == n - i - 1;
    struct stat st;
    if (stat(p, &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        /* GNU names the component that is in the way */
        ul_err("cannot create directory %s: %s", ul_q(p), strerror(last ? EEXIST : ENOTDIR));
        free(p);
        return 1;
      }
    } else if (make_one(p, last ? mode : 0777) != 0 && errno != EEXIST) {
      ul_err("cannot create directory %s: %s", ul_q(p), strerror(errno));
      free(p);
      return 1;
    }
    p[i] = saved;
    if (last) break;
  }
  free(p);
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("mkdir");
  struct ul_getopt g;
  int c, parents = 0, status = 0;
  mode_t mode = 0777;
  ul_getopt_init(&g, argc, argv, "pvm:", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'p': parents = 1; break;
    case 'v': verbose = 1; break;
    case 'm': {
      char *end;
      long m = strtol(g.arg, &end, 8);
      if (*g.arg == '\0' || *end != '\0' || m < 0 || m > 07777) {
        ul_err("invalid mode %s", ul_q(g.arg));
        return 1;
      }
      mode = (mode_t)m;
      break;
    }
    default:
      if (strcmp(g.arg, "parents") == 0) parents = 1;
      else if (strcmp(g.arg, "verbose") == 0) verbose = 1;
      else ul_bad_long(&g);
    }
  }
  if (g.nops == 0) ul_usage_error(1, "missing operand");
  for (int i = 0; i < g.nops; i++) {
    const char *path = g.ops[i];
    int r;
    if (parents) {
      r = make_parents(path, mode);
    } else if ((r = make_one(path, mode)) != 0) {
      ul_err("cannot create directory %s: %s", ul_q(path), strerror(errno));
    }
    if (r != 0) {
      status = 1;
    } else if (mode & ~0777) {
      (void)chmod(path, mode); /* set-id and sticky bits are not applied by mkdir() */
    }
  }
  if (ul_flush_stdout()) return 1;
  return status;
}
