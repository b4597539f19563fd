/*
 * occlum-ts userland: helpers shared by the small utilities and the shell (header-only, every
 * function static so that each program links only what it uses).
 *
 * The same sources build natively with gcc (the oracle of the differential tests) and for the
 * LibOS with occlum-cc (wasm32-wasip1 + the occlum-ts SDK).
 */
#ifndef OCCLUM_USERLAND_COMMON_H
#define OCCLUM_USERLAND_COMMON_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#if defined(__GNUC__)
#define UL_UNUSED __attribute__((unused))
#define UL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define UL_NOINLINE __attribute__((noinline))
#else
#define UL_NOINLINE
#define UL_UNUSED
#define UL_PRINTF(a, b)
#endif

/* The program's name for messages ("cat: x: No such file or directory"). */
static const char *ul_prog = "?";

/* Writes all of buf to fd, retrying after EINTR and short writes. Returns 0, or -1 (errno set). */
static UL_UNUSED int ul_write_all(int fd, const void *buf, size_t n) {
  const char *p = (const char *)buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* "prog: message\n" on stderr (after flushing stdout, as GNU's error() does, to keep the order). */
static UL_UNUSED UL_PRINTF(1, 2) void ul_err(const char *fmt, ...) {
  int saved = errno;
  fflush(stdout);
  errno = saved;
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "%s: ", ul_prog);
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (m < 0) m = 0;
  n += m;
  if ((size_t)n > sizeof buf - 2) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  ul_write_all(2, buf, (size_t)n);
}

/* Flushes stdout; on failure (other than a closed pipe, which SIGPIPE handles) reports it. */
static UL_UNUSED int ul_flush_stdout(void) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (errno != EPIPE) ul_err("write error: %s", strerror(errno));
    return 1;
  }
  return 0;
}

/* ---- signals: names and numbers (Linux numbering, which the SDK's <signal.h> also uses) ---- */

struct ul_signame {
  int num;
  const char *name;
};

static const struct ul_signame ul_signals[] = {
  {SIGHUP, "HUP"},   {SIGINT, "INT"},     {SIGQUIT, "QUIT"},   {SIGILL, "ILL"},     {SIGTRAP, "TRAP"},
  {SIGABRT, "ABRT"}, {SIGBUS, "BUS"},     {SIGFPE, "FPE"},     {SIGKILL, "KILL"},   {SIGUSR1, "USR1"},
  {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"},   {SIGPIPE, "PIPE"},   {SIGALRM, "ALRM"},   {SIGTERM, "TERM"},
#ifdef SIGSTKFLT
  {SIGSTKFLT, "STKFLT"},
#endif
  {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},   {SIGSTOP, "STOP"},   {SIGTSTP, "TSTP"},   {SIGTTIN, "TTIN"},
  {SIGTTOU, "TTOU"}, {SIGURG, "URG"},     {SIGXCPU, "XCPU"},   {SIGXFSZ, "XFSZ"},   {SIGVTALRM, "VTALRM"},
  {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"}, {SIGIO, "IO"},
#ifdef SIGPWR
  {SIGPWR, "PWR"},
#endif
  {SIGSYS, "SYS"},
};
#define UL_NSIGNAMES ((int)(sizeof ul_signals / sizeof ul_signals[0]))

/* The name without "SIG" ("TERM"), or NULL. */
static UL_UNUSED const char *ul_signame(int sig) {
  for (int i = 0; i < UL_NSIGNAMES; i++)
    if (ul_signals[i].num == sig) return ul_signals[i].name;
  return NULL;
}

/* A signal from "TERM", "SIGTERM", "term" or "15"; -1 if unknown. "0" is 0. */
static UL_UNUSED int ul_signum(const char *s) {
  if (*s >= '0' && *s <= '9') {
    char *end;
    long n = strtol(s, &end, 10);
    if (*end != '\0' || n < 0 || n > 64) return -1;
    return (int)n;
  }
  if (strncasecmp(s, "SIG", 3) == 0) s += 3;
  for (int i = 0; i < UL_NSIGNAMES; i++)
    if (strcasecmp(ul_signals[i].name, s) == 0) return ul_signals[i].num;
  return -1;
}

/* What shells print when a foreground job is killed by `sig` (NULL for SIGINT and SIGPIPE). */
static UL_UNUSED const char *ul_sigmessage(int sig) {
  switch (sig) {
  case SIGINT: case SIGPIPE: return NULL;
  case SIGHUP: return "Hangup";
  case SIGQUIT: return "Quit";
  case SIGILL: return "Illegal instruction";
  case SIGTRAP: return "Trace/breakpoint trap";
  case SIGABRT: return "Aborted";
  case SIGBUS: return "Bus error";
  case SIGFPE: return "Floating point exception";
  case SIGKILL: return "Killed";
  case SIGUSR1: return "User defined signal 1";
  case SIGSEGV: return "Segmentation fault";
  case SIGUSR2: return "User defined signal 2";
  case SIGALRM: return "Alarm clock";
  case SIGTERM: return "Terminated";
  case SIGXCPU: return "CPU time limit exceeded";
  case SIGXFSZ: return "File size limit exceeded";
  case SIGVTALRM: return "Virtual timer expired";
  case SIGPROF: return "Profiling timer expired";
  case SIGSYS: return "Bad system call";
  default: return "";
  }
}

/* ---- program name, messages, quoting ---- */

/*
 * Sets the name used in messages (a fixed name, like coreutils, not argv[0]).
 * In the LibOS it also links the SDK's getcwd (cwd.c): with it the SDK learns the initial current
 * directory from the kernel; without it the SDK reads /proc/self/cwd, which the kernel does not
 * provide yet, and relative paths of a program started in another directory would resolve against
 * "/" (reported; harmless once fixed).
 */
static UL_UNUSED void ul_setprog(const char *name) {
  ul_prog = name;
#if defined(__wasi__)
  char cwd[8];
  int saved = errno;
  (void)getcwd(cwd, sizeof cwd); /* ERANGE is fine: only the reference matters */
  errno = saved;
#endif
}

/* Characters that need no quoting in a file name shown in a message (GNU's shell-escape set). */
static UL_UNUSED int ul_plainchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         strchr("%+,-./:=@_^", c) != NULL;
}

/*
 * A name for a message: as is when it is made of plain characters ("nofile"), else in single
 * quotes ('a b'), as coreutils' quotef does. Rotates among 4 static buffers, so that up to 4
 * quoted names can appear in one message.
 */
static UL_UNUSED const char *ul_q_impl(const char *s, int always) {
  static char bufs[4][1100];
  static int which;
  int plain = *s != '\0';
  for (const char *p = s; *p; p++)
    if (!ul_plainchar((unsigned char)*p)) plain = 0;
  if (plain && !always) return s;
  char *b = bufs[which++ & 3];
  size_t n = 0, cap = sizeof bufs[0] - 6;
  b[n++] = '\'';
  for (const char *p = s; *p && n < cap; p++) {
    if (*p == '\'') {
      memcpy(b + n, "'\\''", 4);
      n += 4;
    } else {
      b[n++] = *p;
    }
  }
  b[n++] = '\'';
  b[n] = '\0';
  return b;
}
/* quotef: quoted only when needed. */
static UL_UNUSED const char *ul_qf(const char *s) { return ul_q_impl(s, 0); }
/* quote: always quoted ("cannot access 'x'"). */
static UL_UNUSED const char *ul_q(const char *s) { return ul_q_impl(s, 1); }

/* "Try 'prog --help' for more information." on stderr. */
static UL_UNUSED void ul_try_help(void) {
  char b[128];
  snprintf(b, sizeof b, "Try '%s --help' for more information.\n", ul_prog);
  ul_write_all(2, b, strlen(b));
}

/* "prog: message" + the Try line, then exit(status). */
static UL_UNUSED UL_PRINTF(2, 3) void ul_usage_error(int status, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  ul_err("%s", buf);
  ul_try_help();
  exit(status);
}

/* ---- option parsing (GNU style: options may follow operands, unless `permute` is 0) ---- */

struct ul_getopt {
  int argc;
  char **argv;
  const char *spec;   /* getopt-style: "n:vq" */
  int permute;        /* 1: options anywhere until "--"; 0: stop at the first operand */
  int status;         /* exit status for a usage error */
  int ind;            /* next argv index */
  const char *next;   /* rest of the current option cluster */
  int done;           /* "--" seen or first operand reached (no permute) */
  char *arg;          /* the option's argument */
  char **ops;         /* operands collected so far (argv is reordered in place) */
  int nops;
};

static UL_UNUSED void ul_getopt_init(struct ul_getopt *g, int argc, char **argv, const char *spec, int permute, int status) {
  memset(g, 0, sizeof *g);
  g->argc = argc;
  g->argv = argv;
  g->spec = spec;
  g->permute = permute;
  g->status = status;
  g->ind = 1;
  /* operands are moved to the front of argv[1..] as they are found */
  g->ops = argv + 1;
}

/*
 * Returns the next option character, or -1 when there are no more: then the operands are
 * g->ops[0 .. g->nops-1]. Unknown options and missing arguments print GNU's message and exit.
 * A "--long" argument is returned as 0 with g->arg pointing at the text after "--" (the caller
 * decides; ul_bad_long() reports it).
 */
static UL_UNUSED UL_NOINLINE int ul_getopt_next(struct ul_getopt *g) {
  for (;;) {
    if (g->next && *g->next) {
      char c = *g->next++;
      const char *s = c == ':' ? NULL : strchr(g->spec, c);
      if (s == NULL || *s == '\0') {
        char m[8] = {c, 0};
        ul_usage_error(g->status, "invalid option -- '%s'", m);
      }
      if (s[1] == ':') {
        if (*g->next) {
          g->arg = (char *)g->next;
          g->next = NULL;
        } else if (g->ind < g->argc) {
          g->arg = g->argv[g->ind++];
        } else {
          char m[8] = {c, 0};
          ul_usage_error(g->status, "option requires an argument -- '%s'", m);
        }
      } else {
        g->arg = NULL;
      }
      return c;
    }
    g->next = NULL;
    if (g->ind >= g->argc) return -1;
    char *a = g->argv[g->ind++];
    if (g->done || a[0] != '-' || a[1] == '\0') {
      g->ops[g->nops++] = a;
      if (!g->permute) g->done = 1;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      g->done = 1;
      continue;
    }
    if (a[1] == '-') {
      g->arg = a + 2;
      return 0;
    }
    g->next = a + 1;
  }
}

/* Collects all remaining arguments as operands (after a caller-handled stop). */
static UL_UNUSED void ul_getopt_rest(struct ul_getopt *g) {
  while (g->ind < g->argc) g->ops[g->nops++] = g->argv[g->ind++];
}

/* "prog: unrecognized option '--x'" + Try, exit. */
static UL_UNUSED void ul_bad_long(struct ul_getopt *g) {
  ul_usage_error(g->status, "unrecognized option '--%s'", g->arg);
}

/* ---- files ---- */

/* Reads up to n bytes, retrying after EINTR. */
static UL_UNUSED ssize_t ul_read(int fd, void *buf, size_t n) {
  for (;;) {
    ssize_t r = read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

/* Copies fd `in` to fd `out` until EOF. Returns 0, -1 on a read error, -2 on a write error. */
static UL_UNUSED int ul_copy_fd(int in, int out) {
  static char buf[65536];
  for (;;) {
    ssize_t r = ul_read(in, buf, sizeof buf);
    if (r == 0) return 0;
    if (r < 0) return -1;
    if (ul_write_all(out, buf, (size_t)r) < 0) return -2;
  }
}

/* Joins a directory and a name ("d" + "f" = "d/f", "d/" + "f" = "d/f"); malloc'd. */
static UL_UNUSED char *ul_path_join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *p = (char *)malloc(a + b + 2);
  if (!p) {
    ul_err("memory exhausted");
    exit(1);
  }
  memcpy(p, dir, a);
  size_t n = a;
  if (n > 0 && p[n - 1] != '/') p[n++] = '/';
  memcpy(p + n, name, b + 1);
  return p;
}

/* The last component of a path, without trailing slashes, in a static buffer ("a/b/" -> "b"). */
static UL_UNUSED const char *ul_last_component(const char *path) {
  static char buf[4096];
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  size_t start = n;
  while (start > 0 && path[start - 1] != '/') start--;
  size_t len = n - start;
  if (len >= sizeof buf) len = sizeof buf - 1;
  memcpy(buf, path + start, len);
  buf[len] = '\0';
  if (len == 0 && n > 0) strcpy(buf, "/");
  return buf;
}

/* Growable byte buffer. */
struct ul_buf {
  char *data;
  size_t len, cap;
};

static UL_UNUSED void ul_buf_add(struct ul_buf *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = (char *)realloc(b->data, cap);
    if (!d) {
      ul_err("memory exhausted");
      exit(1);
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

/* Parses a non-negative decimal count ("10", "+3"); -1 if invalid. Suffixes b, K/k, M, G (1024s). */
static UL_UNUSED long long ul_parse_count(const char *s) {
  if (*s == '+') s++;
  if (*s < '0' || *s > '9') return -1;
  char *end;
  errno = 0;
  long long n = strtoll(s, &end, 10);
  if (errno) return -1;
  long long mul = 1;
  if (*end == 'b' && end[1] == '\0') mul = 512;
  else if ((*end == 'K' || *end == 'k') && end[1] == '\0') mul = 1024;
  else if (*end == 'M' && end[1] == '\0') mul = 1024 * 1024;
  else if (*end == 'G' && end[1] == '\0') mul = 1024LL * 1024 * 1024;
  else if (*end == 'k' && strcmp(end, "kB") == 0) mul = 1000;
  else if (*end != '\0') return -1;
  return n * mul;
}

/* ---- copying files and trees (cp, and mv across file systems); define UL_WANT_COPY to get it ---- */
#ifdef UL_WANT_COPY
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

struct ul_copy_opts {
  int recursive;  /* copy directories (symlinks inside are copied as symlinks) */
  int preserve;   /* mode and times (-p, -a; mv) */
  int force;      /* remove a destination that cannot be opened, then retry */
  int no_clobber; /* never overwrite */
  int verbose;    /* "'a' -> 'b'" */
  int deref;      /* follow symlinks (cp without -r/-P) */
};

/* True if `st` describes the same file as path `p` (after following symlinks). */
static UL_UNUSED int ul_same_file(const struct stat *st, const char *p) {
  struct stat t;
  return stat(p, &t) == 0 && t.st_dev == st->st_dev && t.st_ino == st->st_ino;
}

static UL_UNUSED void ul_copy_times(const char *dst, const struct stat *st, int nofollow) {
  struct timespec ts[2];
  ts[0] = st->st_atim;
  ts[1] = st->st_mtim;
  (void)utimensat(AT_FDCWD, dst, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}

/* chmod that tolerates file systems/runtimes without permissions (wasi-libc: ENOSYS/ENOTSUP). */
static UL_UNUSED void ul_copy_mode(const char *dst, mode_t mode) {
  int saved = errno;
  (void)chmod(dst, mode & 07777);
  errno = saved;
}

static UL_UNUSED int ul_copy_regular(const char *src, const char *dst, const struct stat *st, const struct ul_copy_opts *o) {
  int in = open(src, O_RDONLY);
  if (in < 0) {
    ul_err("cannot open %s for reading: %s", ul_q(src), strerror(errno));
    return 1;
  }
  struct stat dst_st;
  int existed = stat(dst, &dst_st) == 0;
  if (existed && o->no_clobber) {
    close(in);
    return 0;
  }
  int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
  if (out < 0 && o->force && existed) {
    unlink(dst);
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
  }
  if (out < 0) {
    ul_err("cannot create regular file %s: %s", ul_q(dst), strerror(errno));
    close(in);
    return 1;
  }
  int r = ul_copy_fd(in, out);
  int status = 0;
  if (r == -1) {
    ul_err("error reading %s: %s", ul_q(src), strerror(errno));
    status = 1;
  } else if (r == -2) {
    ul_err("error writing %s: %s", ul_q(dst), strerror(errno));
    status = 1;
  }
  close(in);
  if (close(out) != 0 && status == 0) {
    ul_err("failed to close %s: %s", ul_q(dst), strerror(errno));
    status = 1;
  }
  if (o->preserve) {
    ul_copy_mode(dst, st->st_mode);
    ul_copy_times(dst, st, 0);
  }
  return status;
}

/*
 * Copies src to dst (dst is the final name, not a directory to copy into). Returns 0 or 1
 * (errors are reported). `top` is nonzero for a command-line operand.
 */
static UL_UNUSED int ul_copy_any(const char *src, const char *dst, const struct ul_copy_opts *o, int top) {
  struct stat st;
  int r = o->deref ? stat(src, &st) : lstat(src, &st);
  if (r != 0) {
    ul_err("cannot stat %s: %s", ul_q(src), strerror(errno));
    return 1;
  }
  struct stat dst_st;
  int dst_exists = lstat(dst, &dst_st) == 0;
  if (dst_exists && dst_st.st_dev == st.st_dev && dst_st.st_ino == st.st_ino) {
    ul_err("%s and %s are the same file", ul_q(src), ul_q(dst));
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!o->recursive) {
      ul_err("-r not specified; omitting directory %s", ul_q(src));
      return 1;
    }
    if (dst_exists && !S_ISDIR(dst_st.st_mode)) {
      if (!(S_ISLNK(dst_st.st_mode) && stat(dst, &dst_st) == 0 && S_ISDIR(dst_st.st_mode))) {
        ul_err("cannot overwrite non-directory %s with directory %s", ul_q(dst), ul_q(src));
        return 1;
      }
    }
    if (top) {
      /* refuse to copy a directory into itself (dst inside src) */
      char *rs = realpath(src, NULL);
      char *parent = strdup(dst);
      char *rp = NULL;
      if (parent) {
        char *slash = strrchr(parent, '/');
        if (slash == parent) slash[1] = '\0';
        else if (slash) *slash = '\0';
        else strcpy(parent, ".");
        rp = realpath(parent, NULL);
      }
      int inside = 0;
      if (rs && rp) {
        size_t n = strlen(rs);
        inside = strncmp(rp, rs, n) == 0 && (rp[n] == '\0' || rp[n] == '/' || strcmp(rs, "/") == 0);
      }
      free(rs);
      free(rp);
      free(parent);
      if (inside) {
        ul_err("cannot copy a directory, %s, into itself, %s", ul_q(src), ul_q(dst));
        return 1;
      }
    }
    if (!dst_exists && mkdir(dst, (st.st_mode & 0777) | S_IRWXU) != 0) {
      ul_err("cannot create directory %s: %s", ul_q(dst), strerror(errno));
      return 1;
    }
    if (o->verbose) printf("%s -> %s\n", ul_q(src), ul_q(dst));
    DIR *d = opendir(src);
    if (!d) {
      ul_err("cannot access %s: %s", ul_q(src), strerror(errno));
      return 1;
    }
    int status = 0;
    struct dirent *de;
    /* read all names first: creating files in dst must not disturb the iteration of src */
    struct ul_buf names = {0};
    size_t count = 0;
    while ((de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
      ul_buf_add(&names, de->d_name, strlen(de->d_name) + 1);
      count++;
    }
    closedir(d);
    const char *n = names.data;
    struct ul_copy_opts sub = *o;
    sub.deref = 0;
    for (size_t i = 0; i < count; i++, n += strlen(n) + 1) {
      char *s = ul_path_join(src, n), *t = ul_path_join(dst, n);
      status |= ul_copy_any(s, t, &sub, 0);
      free(s);
      free(t);
    }
    free(names.data);
    if (!dst_exists || o->preserve) ul_copy_mode(dst, st.st_mode);
    if (o->preserve) ul_copy_times(dst, &st, 0);
    return status;
  }
  if (dst_exists && S_ISDIR(dst_st.st_mode)) {
    ul_err("cannot overwrite directory %s with non-directory", ul_q(dst));
    return 1;
  }
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(src, target, sizeof target - 1);
    if (n < 0) {
      ul_err("cannot read symbolic link %s: %s", ul_q(src), strerror(errno));
      return 1;
    }
    target[n] = '\0';
    if (dst_exists) {
      if (o->no_clobber) return 0;
      unlink(dst);
    }
    if (symlink(target, dst) != 0) {
      ul_err("cannot create symbolic link %s: %s", ul_q(dst), strerror(errno));
      return 1;
    }
    if (o->verbose) printf("%s -> %s\n", ul_q(src), ul_q(dst));
    if (o->preserve) ul_copy_times(dst, &st, 1);
    return 0;
  }
  if (!S_ISREG(st.st_mode) && !o->deref && o->recursive) {
    ul_err("cannot copy special file %s", ul_q(src));
    return 1;
  }
  int r2 = ul_copy_regular(src, dst, &st, o);
  if (r2 == 0 && o->verbose) printf("%s -> %s\n", ul_q(src), ul_q(dst));
  return r2;
}

/* Removes a tree (for mv across file systems). Returns 0 or 1 (errors reported). */
static UL_UNUSED int ul_remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path) != 0) {
      ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
      return 1;
    }
    return 0;
  }
  DIR *d = opendir(path);
  if (!d) {
    ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
    return 1;
  }
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
    char *s = ul_path_join(path, n);
    status |= ul_remove_tree(s);
    free(s);
  }
  free(names.data);
  if (status == 0 && rmdir(path) != 0) {
    ul_err("cannot remove %s: %s", ul_q(path), strerror(errno));
    return 1;
  }
  return status;
}
#endif /* UL_WANT_COPY */

#endif
