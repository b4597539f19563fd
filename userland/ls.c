/*
 * ls [-1aAdCFlrRt] [FILE]...: lists directories and files, sorted by name (C locale byte order).
 *
 * As GNU ls: file operands first, then each directory (with a "name:" header when there is more
 * than one operand or -R); one name per line when stdout is not a terminal, columns (sized to
 * the terminal) when it is; -l prints "mode links owner group size Mon DD HH:MM name[ -> target]"
 * with columns aligned per listing and a "total" line (1 KiB blocks) for directories; dates
 * older than six months (or in the future) show the year instead of the time. Exit status 2 if
 * an operand cannot be accessed, 1 for lesser trouble (a subdirectory that cannot be read).
 */
#include <dirent.h>
#include <grp.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include "common.h"

static int opt_all, opt_almost, opt_dir, opt_long, opt_one, opt_cols, opt_classify, opt_reverse, opt_time,
    opt_recursive;
static int status;
static time_t now;
static int to_tty;

struct entry {
  char *name;    /* as shown */
  char *path;    /* for stat/readlink */
  struct stat st;
  int stat_ok;
  char *target;  /* symlink target (long format) */
};

struct list {
  struct entry *v;
  size_t n, cap;
};

static void list_add(struct list *l, struct entry e) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 32;
    l->v = (struct entry *)realloc(l->v, l->cap * sizeof *l->v);
    if (!l->v) {
      ul_err("memory exhausted");
      exit(2);
    }
  }
  l->v[l->n++] = e;
}

static void list_free(struct list *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].name);
    free(l->v[i].path);
    free(l->v[i].target);
  }
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static char *xstrdup(const char *s) {
  char *p = strdup(s);
  if (!p) {
    ul_err("memory exhausted");
    exit(2);
  }
  return p;
}

static int cmp_entries(const void *a, const void *b) {
  const struct entry *x = (const struct entry *)a, *y = (const struct entry *)b;
  int r = 0;
  if (opt_time) {
    if (x->st.st_mtim.tv_sec != y->st.st_mtim.tv_sec) r = x->st.st_mtim.tv_sec > y->st.st_mtim.tv_sec ? -1 : 1;
    else if (x->st.st_mtim.tv_nsec != y->st.st_mtim.tv_nsec) r = x->st.st_mtim.tv_nsec > y->st.st_mtim.tv_nsec ? -1 : 1;
  }
  if (r == 0) r = strcmp(x->name, y->name);
  return opt_reverse ? -r : r;
}

static void sort_list(struct list *l) {
  if (l->n > 1) qsort(l->v, l->n, sizeof *l->v, cmp_entries);
}

static char type_char(mode_t m) {
  if (S_ISDIR(m)) return 'd';
  if (S_ISLNK(m)) return 'l';
  if (S_ISCHR(m)) return 'c';
  if (S_ISBLK(m)) return 'b';
  if (S_ISFIFO(m)) return 'p';
  if (S_ISSOCK(m)) return 's';
  return '-';
}

static void mode_string(mode_t m, char *s) {
  s[0] = type_char(m);
  s[1] = (m & S_IRUSR) ? 'r' : '-';
  s[2] = (m & S_IWUSR) ? 'w' : '-';
  s[3] = (m & S_ISUID) ? ((m & S_IXUSR) ? 's' : 'S') : ((m & S_IXUSR) ? 'x' : '-');
  s[4] = (m & S_IRGRP) ? 'r' : '-';
  s[5] = (m & S_IWGRP) ? 'w' : '-';
  s[6] = (m & S_ISGID) ? ((m & S_IXGRP) ? 's' : 'S') : ((m & S_IXGRP) ? 'x' : '-');
  s[7] = (m & S_IROTH) ? 'r' : '-';
  s[8] = (m & S_IWOTH) ? 'w' : '-';
  s[9] = (m & S_ISVTX) ? ((m & S_IXOTH) ? 't' : 'T') : ((m & S_IXOTH) ? 'x' : '-');
  s[10] = '\0';
}

static char indicator(const struct entry *e) {
  if (!opt_classify || !e->stat_ok) return 0;
  mode_t m = e->st.st_mode;
  if (S_ISDIR(m)) return '/';
  if (S_ISLNK(m)) return opt_long ? 0 : '@';
  if (S_ISFIFO(m)) return '|';
  if (S_ISSOCK(m)) return '=';
  if (S_ISREG(m) && (m & (S_IXUSR | S_IXGRP | S_IXOTH))) return '*';
  return 0;
}

static const char *user_name(uid_t uid, char *buf, size_t n) {
  struct passwd *pw = getpwuid(uid);
  if (pw && pw->pw_name) return pw->pw_name;
  snprintf(buf, n, "%lu", (unsigned long)uid);
  return buf;
}

static const char *group_name(gid_t gid, char *buf, size_t n) {
  struct group *gr = getgrgid(gid);
  if (gr && gr->gr_name) return gr->gr_name;
  snprintf(buf, n, "%lu", (unsigned long)gid);
  return buf;
}

static int num_width(unsigned long long v) {
  int w = 1;
  while (v >= 10) {
    v /= 10;
    w++;
  }
  return w;
}

/* Fills e->st (lstat, or stat when `follow`), and the link target for -l. */
static int load_entry(struct entry *e, int follow) {
  int r = follow ? stat(e->path, &e->st) : lstat(e->path, &e->st);
  if (r != 0 && follow && lstat(e->path, &e->st) == 0) r = 0; /* dangling symlink: show the link */
  e->stat_ok = r == 0;
  if (e->stat_ok && opt_long && S_ISLNK(e->st.st_mode)) {
    char buf[4096];
    ssize_t n = readlink(e->path, buf, sizeof buf - 1);
    if (n >= 0) {
      buf[n] = '\0';
      e->target = xstrdup(buf);
    }
  }
  return r;
}

static void print_long(struct list *l, int with_total) {
  int wl = 1, wu = 1, wg = 1, ws = 1;
  unsigned long long total = 0;
  char ub[32], gb[32];
  for (size_t i = 0; i < l->n; i++) {
    struct entry *e = &l->v[i];
    if (!e->stat_ok) continue;
    int w = num_width((unsigned long long)e->st.st_nlink);
    if (w > wl) wl = w;
    w = (int)strlen(user_name(e->st.st_uid, ub, sizeof ub));
    if (w > wu) wu = w;
    w = (int)strlen(group_name(e->st.st_gid, gb, sizeof gb));
    if (w > wg) wg = w;
    w = num_width((unsigned long long)e->st.st_size);
    if (w > ws) ws = w;
    total += ((unsigned long long)e->st.st_blocks * 512 + 1023) / 1024;
  }
  if (with_total) printf("total %llu\n", total);
  for (size_t i = 0; i < l->n; i++) {
    struct entry *e = &l->v[i];
    if (!e->stat_ok) {
      printf("?????????? ? ? ? ?            ? %s\n", e->name);
      continue;
    }
    char mode[11], when[64];
    mode_string(e->st.st_mode, mode);
    time_t t = e->st.st_mtim.tv_sec;
    struct tm *tm = localtime(&t);
    const long six_months = 31556952 / 2;
    int recent = t > now - six_months && t <= now;
    if (!tm || strftime(when, sizeof when, recent ? "%b %e %H:%M" : "%b %e  %Y", tm) == 0) strcpy(when, "?");
    printf("%s %*lu %-*s %-*s %*lld %s %s", mode, wl, (unsigned long)e->st.st_nlink, wu,
           user_name(e->st.st_uid, ub, sizeof ub), wg, group_name(e->st.st_gid, gb, sizeof gb), ws,
           (long long)e->st.st_size, when, e->name);
    char ind = indicator(e);
    if (e->target) {
      printf(" -> %s", e->target);
      struct stat t;
      if (opt_classify && stat(e->path, &t) == 0) {
        struct entry te = *e;
        te.st = t;
        ind = indicator(&te);
      }
    }
    if (ind) putchar(ind);
    putchar('\n');
  }
}

static int term_width(void) {
  struct winsize ws;
  if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char *c = getenv("COLUMNS");
  if (c && atoi(c) > 0) return atoi(c);
  return 80;
}

/* Columns, filled top to bottom then left to right, as GNU ls -C: the most columns that fit. */
static void print_columns(struct list *l) {
  size_t n = l->n;
  if (n == 0) return;
  int width = term_width();
  size_t *len = (size_t *)malloc(n * sizeof *len);
  if (!len) exit(2);
  for (size_t i = 0; i < n; i++) len[i] = strlen(l->v[i].name) + (indicator(&l->v[i]) ? 1 : 0);
  size_t best_cols = 1;
  for (size_t cols = n; cols > 1; cols--) {
    size_t rows = (n + cols - 1) / cols;
    if ((rows - 1) * cols >= n && cols > 1) continue; /* an empty last column: fewer columns do the same */
    size_t line = 0;
    for (size_t c = 0; c < cols; c++) {
      size_t w = 0;
      for (size_t r = 0; r < rows; r++) {
        size_t i = c * rows + r;
        if (i < n && len[i] > w) w = len[i];
      }
      line += w + (c + 1 < cols ? 2 : 0);
    }
    if (line <= (size_t)width) {
      best_cols = cols;
      break;
    }
  }
  size_t cols = best_cols, rows = (n + cols - 1) / cols;
  size_t *colw = (size_t *)calloc(cols, sizeof *colw);
  if (!colw) exit(2);
  for (size_t i = 0; i < n; i++)
    if (len[i] > colw[i / rows]) colw[i / rows] = len[i];
  for (size_t r = 0; r < rows; r++) {
    size_t pos = 0, start = 0;
    for (size_t c = 0; c < cols; c++) {
      size_t i = c * rows + r;
      if (i >= n) break;
      /* pad to the column's start with tabs (every 8) and spaces, as GNU ls does */
      while (pos < start) {
        if (start / 8 > (pos + 1) / 8) {
          putchar('\t');
          pos += 8 - pos % 8;
        } else {
          putchar(' ');
          pos++;
        }
      }
      char ind = indicator(&l->v[i]);
      fputs(l->v[i].name, stdout);
      if (ind) putchar(ind);
      pos += len[i];
      start += colw[c] + 2;
    }
    putchar('\n');
  }
  free(colw);
  free(len);
}

static void print_list(struct list *l, int is_dir_listing) {
  if (opt_long) {
    print_long(l, is_dir_listing);
  } else if (opt_cols && !opt_one) {
    print_columns(l);
  } else {
    for (size_t i = 0; i < l->n; i++) {
      char ind = indicator(&l->v[i]);
      fputs(l->v[i].name, stdout);
      if (ind) putchar(ind);
      putchar('\n');
    }
  }
}

static int first_output = 1;

static void list_dir(const char *path, int header) {
  DIR *d = opendir(path);
  if (!d) {
    ul_err("cannot open directory %s: %s", ul_q(path), strerror(errno));
    status = 2;
    return;
  }
  struct list l = {0};
  struct dirent *de;
  int seen_dot = 0, seen_dotdot = 0;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    const char *n = de->d_name;
    int dot = strcmp(n, ".") == 0, dotdot = strcmp(n, "..") == 0;
    seen_dot |= dot;
    seen_dotdot |= dotdot;
    if (n[0] == '.' && !opt_all && !(opt_almost && !dot && !dotdot)) continue;
    struct entry e = {xstrdup(n), ul_path_join(path, n), {0}, 0, NULL};
    list_add(&l, e);
  }
  int read_errno = errno;
  closedir(d);
  /* a directory without "." and ".." entries (some WASI file systems): add them for -a */
  if (opt_all && !seen_dot) list_add(&l, (struct entry){xstrdup("."), ul_path_join(path, "."), {0}, 0, NULL});
  if (opt_all && !seen_dotdot) list_add(&l, (struct entry){xstrdup(".."), ul_path_join(path, ".."), {0}, 0, NULL});
  if (opt_long || opt_time || opt_classify || opt_recursive)
    for (size_t i = 0; i < l.n; i++) load_entry(&l.v[i], 0);
  sort_list(&l);
  if (header) {
    if (!first_output) putchar('\n');
    printf("%s:\n", path);
  }
  first_output = 0;
  print_list(&l, 1);
  if (read_errno) {
    ul_err("reading directory %s: %s", ul_q(path), strerror(read_errno));
    status = 2;
  }
  if (opt_recursive) {
    for (size_t i = 0; i < l.n; i++) {
      struct entry *e = &l.v[i];
      if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0) continue;
      if (e->stat_ok && S_ISDIR(e->st.st_mode)) list_dir(e->path, 1);
    }
  }
  list_free(&l);
}

int main(int argc, char **argv) {
  ul_setprog("ls");
  struct ul_getopt g;
  int c;
  to_tty = isatty(1);
  opt_cols = to_tty;
  ul_getopt_init(&g, argc, argv, "1aAdCFlrRt", 1, 2);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case '1': opt_one = 1; opt_long = 0; opt_cols = 0; break;
    case 'a': opt_all = 1; opt_almost = 0; break;
    case 'A': opt_almost = 1; opt_all = 0; break;
    case 'd': opt_dir = 1; break;
    case 'C': opt_cols = 1; opt_one = 0; opt_long = 0; break;
    case 'F': opt_classify = 1; break;
    case 'l': opt_long = 1; opt_one = 0; break;
    case 'r': opt_reverse = 1; break;
    case 'R': opt_recursive = 1; break;
    case 't': opt_time = 1; break;
    default:
      if (strcmp(g.arg, "all") == 0) opt_all = 1;
      else if (strcmp(g.arg, "almost-all") == 0) opt_almost = 1;
      else if (strcmp(g.arg, "directory") == 0) opt_dir = 1;
      else if (strcmp(g.arg, "classify") == 0) opt_classify = 1;
      else if (strcmp(g.arg, "reverse") == 0) opt_reverse = 1;
      else if (strcmp(g.arg, "recursive") == 0) opt_recursive = 1;
      else ul_bad_long(&g);
    }
  }
  if (opt_dir) opt_recursive = 0;
  now = time(NULL);

  static char *dot[] = {(char *)"."};
  char **ops = g.nops ? g.ops : dot;
  int nops = g.nops ? g.nops : 1;
  struct list files = {0}, dirs = {0};
  /* symlinks named on the command line are followed, except with -l, -d or -F */
  int follow = !(opt_long || opt_dir || opt_classify);
  for (int i = 0; i < nops; i++) {
    struct entry e = {xstrdup(ops[i]), xstrdup(ops[i]), {0}, 0, NULL};
    if (load_entry(&e, follow) != 0) {
      ul_err("cannot access %s: %s", ul_q(ops[i]), strerror(errno));
      status = 2;
      free(e.name);
      free(e.path);
      continue;
    }
    int is_dir = S_ISDIR(e.st.st_mode);
    if (!follow && S_ISLNK(e.st.st_mode) && !opt_dir) {
      /* ls -l link-to-dir shows the link itself; "ls -l link/" follows it (trailing slash) */
      size_t k = strlen(e.path);
      if (k > 0 && e.path[k - 1] == '/') {
        struct stat t;
        if (stat(e.path, &t) == 0 && S_ISDIR(t.st_mode)) is_dir = 1;
      }
    }
    if (is_dir && !opt_dir) list_add(&dirs, e);
    else list_add(&files, e);
  }
  sort_list(&files);
  sort_list(&dirs);
  if (files.n > 0) {
    print_list(&files, 0);
    first_output = 0;
  }
  int headers = nops > 1 || opt_recursive || status != 0;
  for (size_t i = 0; i < dirs.n; i++) list_dir(dirs.v[i].path, headers);
  list_free(&files);
  list_free(&dirs);
  if (ul_flush_stdout()) return 2;
  return status;
}
