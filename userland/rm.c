/*
 * rm [-f] [-r|-R] [-d] [-v] FILE...: removes files; -r removes directories and their contents,
 * -d empty directories; -f ignores missing files and never fails for them. Messages as GNU rm
 * ("rm: cannot remove 'x': No such file or directory", "rm: cannot remove 'd': Is a directory").
 */
#include <dirent.h>
#include <sys/stat.h>
#include "common.h"

static int force, recursive, dirs, verbose;

static int remove_path(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (force && errno == ENOENT) return 0;
    ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path) != 0) {
      if (force && errno == ENOENT) return 0;
      ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
      return 1;
    }
    if (verbose) printf("removed %s\n", ul_q(path));
    return 0;
  }
  if (!recursive) {
    if (dirs) {
      if (rmdir(path) != 0) {
        ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
        return 1;
      }
      if (verbose) printf("removed directory %s\n", ul_q(path));
      return 0;
    }
    ul_err("cannot remove %s: %s", ul_q(path), strerror(EISDIR));
    return 1;
  }
  DIR *d = opendir(path);
  if (!d) {
    ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
    return 1;
  }
  /* collect the names first, then remove (removing while reading is unspecified) */
  struct ul_buf names = {0};
  size_t count = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    ul_buf_add(&names, de->d_name, strlen(de->d_name) + 1);
    count++;
  }
  closedir(d);
  int status = 0;
  const char *n = names.data;
  for (size_t i = 0; i < count; i++, n += strlen(n) + 1) {
    char *child = ul_path_join(path, n);
    status |= remove_path(child);
    free(child);
  }
  free(names.data);
  if (status) return status;
  if (rmdir(path) != 0) {
    ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
    return 1;
  }
  if (verbose) printf("removed directory %s\n", ul_q(path));
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("rm");
  struct ul_getopt g;
  int c, status = 0;
  ul_getopt_init(&g, argc, argv, "frRdvi", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'f': force = 1; break;
    case 'r': case 'R': recursive = 1; break;
    case 'd': dirs = 1; break;
    case 'v': verbose = 1; break;
    case 'i': force = 0; break;
    default:
      if (strcmp(g.arg, "force") == 0) force = 1;
      else if (strcmp(g.arg, "recursive") == 0) recursive = 1;
      else if (strcmp(g.arg, "dir") == 0) dirs = 1;
      else if (strcmp(g.arg, "verbose") == 0) verbose = 1;
      else ul_bad_long(&g);
    }
  }
  if (g.nops == 0) {
    if (force) return 0;
    ul_usage_error(1, "missing operand");
  }
  for (int i = 0; i < g.nops; i++) {
    const char *path = g.ops[i];
    const char *last = ul_last_component(path);
    if (recursive && (strcmp(last, ".") == 0 || strcmp(last, "..") == 0)) {
      ul_err("refusing to remove '.' or '..' directory: skipping %s", ul_q(path));
      status = 1;
      continue;
    }
    if (recursive && strcmp(last, "/") == 0) {
      ul_err("it is dangerous to operate recursively on %s", ul_q(path));
      ul_err("use --no-preserve-root to override this failsafe");
      status = 1;
      continue;
    }
    status |= remove_path(path);
  }
  if (ul_flush_stdout()) return 1;
  return status;
}
