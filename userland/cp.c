/*
 * cp [-rRapfinvTP] SOURCE DEST | cp [options] SOURCE... DIRECTORY: copies files; -r copies
 * directories recursively (symbolic links inside as links). Messages as GNU cp
 * ("cp: cannot stat 'x': No such file or directory", "cp: -r not specified; omitting directory 'd'").
 */
#define UL_WANT_COPY
#include "common.h"

int main(int argc, char **argv) {
  ul_setprog("cp");
  struct ul_getopt g;
  struct ul_copy_opts o = {0, 0, 0, 0, 0, 1};
  int c, no_target_dir = 0, deref_set = 0;
  const char *target_dir = NULL;
  ul_getopt_init(&g, argc, argv, "rRapfinvTLPdt:", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'r': case 'R': o.recursive = 1; break;
    case 'a': o.recursive = 1; o.preserve = 1; o.deref = 0; deref_set = 1; break;
    case 'p': o.preserve = 1; break;
    case 'f': o.force = 1; o.no_clobber = 0; break;
    case 'n': o.no_clobber = 1; break;
    case 'i': break;
    case 'v': o.verbose = 1; break;
    case 'T': no_target_dir = 1; break;
    case 't': target_dir = g.arg; break;
    case 'L': o.deref = 1; deref_set = 1; break;
    case 'P': case 'd': o.deref = 0; deref_set = 1; break;
    default:
      if (strcmp(g.arg, "recursive") == 0) o.recursive = 1;
      else if (strcmp(g.arg, "archive") == 0) { o.recursive = o.preserve = 1; o.deref = 0; deref_set = 1; }
      else if (strcmp(g.arg, "force") == 0) o.force = 1;
      else if (strcmp(g.arg, "no-clobber") == 0) o.no_clobber = 1;
      else if (strcmp(g.arg, "verbose") == 0) o.verbose = 1;
      else if (strcmp(g.arg, "no-target-directory") == 0) no_target_dir = 1;
      else if (strncmp(g.arg, "target-directory=", 17) == 0) target_dir = g.arg + 17;
      else ul_bad_long(&g);
    }
  }
  /* with -r, symbolic links are copied as links (GNU's -P default), also on the command line */
  if (o.recursive && !deref_set) o.deref = 0;
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
      status |= ul_copy_any(src, to, &o, 1);
      free(to);
    } else {
      status |= ul_copy_any(src, dest, &o, 1);
    }
  }
  if (ul_flush_stdout()) return 1;
  return status;
}
