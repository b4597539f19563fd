/*
 * ln [-sfnTv] TARGET LINK_NAME | ln [options] TARGET... DIRECTORY: makes hard links, or symbolic
 * links with -s; -f replaces existing destinations; -n (-T) treats a LINK_NAME that is a
 * symlink to a directory (any LINK_NAME) as a file.
 */
#include <sys/stat.h>
#include "common.h"

static int symbolic, force, no_deref, verbose;

static int link_one(const char *target, const char *name) {
  if (!symbolic) {
    struct stat ts;
    if (stat(target, &ts) != 0) {
      ul_err("failed to access %s: %s", ul_q(target), strerror(errno));
      return 1;
    }
    if (S_ISDIR(ts.st_mode)) {
      ul_err("%s: hard link not allowed for directory", ul_qf(target));
      return 1;
    }
  }
  int r = symbolic ? symlink(target, name) : link(target, name);
  if (r != 0 && errno == EEXIST && force) {
    struct stat st;
    if (lstat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
      ul_err("%s: cannot overwrite directory", ul_q(name));
      return 1;
    }
    unlink(name);
    r = symbolic ? symlink(target, name) : link(target, name);
  }
  if (r != 0) {
    if (symbolic || errno == EEXIST)
      ul_err("failed to create %s link %s%s%s: %s", symbolic ? "symbolic" : "hard", ul_q(name),
             errno == EEXIST ? "" : " -> ", errno == EEXIST ? "" : ul_q(target), strerror(errno));
    else
      ul_err("failed to create hard link %s => %s: %s", ul_q(name), ul_q(target), strerror(errno));
    return 1;
  }
  if (verbose) printf("%s -> %s\n", ul_q(name), ul_q(target));
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("ln");
  struct ul_getopt g;
  int c, no_target_dir = 0, status = 0;
  ul_getopt_init(&g, argc, argv, "sfnTvL", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 's': symbolic = 1; break;
    case 'f': force = 1; break;
    case 'n': no_deref = 1; break;
    case 'T': no_target_dir = 1; break;
    case 'v': verbose = 1; break;
    case 'L': break;
    default:
      if (strcmp(g.arg, "symbolic") == 0) symbolic = 1;
      else if (strcmp(g.arg, "force") == 0) force = 1;
      else if (strcmp(g.arg, "verbose") == 0) verbose = 1;
      else ul_bad_long(&g);
    }
  }
  if (g.nops == 0) ul_usage_error(1, "missing file operand");
  if (g.nops == 1) {
    /* ln TARGET: a link named after TARGET in the current directory */
    char *to = ul_path_join(".", ul_last_component(g.ops[0]));
    status = link_one(g.ops[0], to);
    free(to);
    return status;
  }
  const char *dest = g.ops[g.nops - 1];
  struct stat st;
  int dest_is_dir = 0;
  if (!no_target_dir) {
    if (no_deref && lstat(dest, &st) == 0 && S_ISLNK(st.st_mode)) dest_is_dir = 0;
    else dest_is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
  }
  if (g.nops > 2 && !dest_is_dir) {
    ul_err("target %s: %s", ul_q(dest), strerror(stat(dest, &st) == 0 ? ENOTDIR : errno));
    return 1;
  }
  for (int i = 0; i < g.nops - 1; i++) {
    if (dest_is_dir) {
      char *to = ul_path_join(dest, ul_last_component(g.ops[i]));
      status |= link_one(g.ops[i], to);
      free(to);
    } else {
      status |= link_one(g.ops[i], dest);
    }
  }
  if (ul_flush_stdout()) return 1;
  return status;
}
