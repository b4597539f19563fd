/*
 * mv [-finvT] SOURCE DEST | mv [options] SOURCE... DIRECTORY: renames files; across file systems
 * (EXDEV) it copies (keeping modes and times) and removes the source, as GNU mv does.
 */
#define UL_WANT_COPY
#include "common.h"

static int no_clobber, verbose;

static int move_one(const char *src, const char *dst) {
  struct stat s, d;
  if (lstat(src, &s) != 0) {
    ul_err("cannot stat %s: %s", ul_q(src), strerror(errno));
    return 1;
  }
  int dst_exists = lstat(dst, &d) == 0;
  if (dst_exists) {
    struct stat t; /* a link to its own destination: moving it would lose the file */
    int link_to_dst = S_ISLNK(s.st_mode) && stat(src, &t) == 0 && t.st_dev == d.st_dev && t.st_ino == d.st_ino;
    if ((s.st_dev == d.st_dev && s.st_ino == d.st_ino) || link_to_dst) {
      ul_err("%s and %s are the same file", ul_q(src), ul_q(dst));
      return 1;
    }
    if (no_clobber) return 0;
    if (S_ISDIR(d.st_mode) && !S_ISDIR(s.st_mode)) {
      ul_err("cannot overwrite directory %s with non-directory", ul_q(dst));
      return 1;
    }
    if (!S_ISDIR(d.st_mode) && S_ISDIR(s.st_mode)) {
      ul_err("cannot overwrite non-directory %s with directory %s", ul_q(dst), ul_q(src));
      return 1;
    }
  }
  if (rename(src, dst) == 0) {
    if (verbose) printf("renamed %s -> %s\n", ul_q(src), ul_q(dst));
    return 0;
  }
  int e = errno;
  if (e == EINVAL && S_ISDIR(s.st_mode)) {
    ul_err("cannot move %s to a subdirectory of itself, %s", ul_q(src), ul_q(dst));
    return 1;
  }
  if (e != EXDEV) {
    ul_err("cannot move %s to %s: %s", ul_q(src), ul_q(dst), strerror(e));
    return 1;
  }
  /* another file system: copy, then remove the source */
  if (dst_exists && S_ISDIR(d.st_mode) && ul_remove_tree(dst) != 0) return 1;
  struct ul_copy_opts o = {1, 1, 1, 0, 0, 0};
  if (ul_copy_any(src, dst, &o, 1) != 0) return 1;
  if (ul_remove_tree(src) != 0) return 1;
  if (verbose) printf("copied %s -> %s\nremoved %s\n", ul_q(src), ul_q(dst), ul_q(src));
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("mv");
  struct ul_getopt g;
  int c, no_target_dir = 0;
  const char *target_dir = NULL;
  ul_getopt_init(&g, argc, argv, "finvTt:", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'f': no_clobber = 0; break;
    case 'i': break;
    case 'n': no_clobber = 1; break;
    case 'v': verbose = 1; break;
    case 'T': no_target_dir = 1; break;
    case 't': target_dir = g.arg; break;
    default:
      if (strcmp(g.arg, "force") == 0) no_clobber = 0;
      else if (strcmp(g.arg, "no-clobber") == 0) no_clobber = 1;
      else if (strcmp(g.arg, "verbose") == 0) verbose = 1;
      else if (strcmp(g.arg, "no-target-directory") == 0) no_target_dir = 1;
      else if (strncmp(g.arg, "target-directory=", 17) == 0) target_dir = g.arg + 17;
      else ul_bad_long(&g);
    }
  }
  if (g.nops == 0) ul_usage_error(1, "missing file operand");
  if (!target_dir && g.nops == 1) ul_usage_error(1, "missing destination file operand after %s", ul_q(g.ops[0]));
  const char *dest = target_dir ? target_dir : g.ops[g.nops - 1];
  int nsrc = target_dir ? g.nops : g.nops - 1;
  struct stat st;
  int dest_is_dir = !no_target_dir && stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
  if (target_dir && !dest_is_dir) {
    ul_err("target directory %s: %s", ul_q(dest), strerror(errno ? errno : ENOTDIR));
    return 1;
  }
  if (no_target_dir && nsrc > 1) ul_usage_error(1, "extra operand %s", ul_q(g.ops[2]));
  if (nsrc > 1 && !dest_is_dir) {
    ul_err("target %s: %s", ul_q(dest), strerror(stat(dest, &st) == 0 ? ENOTDIR : errno));
    return 1;
  }
  int status = 0;
  for (int i = 0; i < nsrc; i++) {
    const char *src = g.ops[i];
    if (dest_is_dir) {
      char *to = ul_path_join(dest, ul_last_component(src));
      status |= move_one(src, to);
      free(to);
    } else {
      status |= move_one(src, dest);
    }
  }
  if (ul_flush_stdout()) return 1;
  return status;
}
