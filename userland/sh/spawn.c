/* /bin/sh: redirections, spawning (posix_spawn with file actions), child shells, command
 * substitution, PATH search and background jobs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"
#include "shspawn.h"

/* ---- redirections ---- */

static void plan_add(struct rplan *p, int kind, int fd, int src) {
  p->a = xrealloc(p->a, (size_t)(p->n + 1) * sizeof *p->a);
  p->a[p->n].kind = kind;
  p->a[p->n].fd = fd;
  p->a[p->n].src = src;
  p->n++;
}

static void plan_opened(struct rplan *p, int fd) {
  p->opened = xrealloc(p->opened, (size_t)(p->nopened + 1) * sizeof *p->opened);
  p->opened[p->nopened++] = fd;
}

void rplan_free(struct rplan *p) {
  for (int i = 0; i < p->nopened; i++) close(p->opened[i]);
  free(p->opened);
  free(p->a);
  memset(p, 0, sizeof *p);
}

/* An fd (>= SH_FD_MIN, close-on-exec) to read a here-document from: a pipe if the text fits in
 * it without blocking, else an unlinked temporary file. */
static int heredoc_fd(const char *text) {
  size_t n = strlen(text);
  if (n <= 4096) {
    int p[2];
    if (pipe(p) == 0) {
      write_all(p[1], text, n);
      close(p[1]);
      return fd_move_high(p[0]);
    }
  }
  static unsigned counter;
  char path[128];
  const char *dir = var_get("TMPDIR");
  if (dir == NULL || *dir == '\0') dir = "/tmp";
  for (int tries = 0; tries < 100; tries++) {
    snprintf(path, sizeof path, "%s/sh-heredoc-%d-%u", dir, (int)getpid(), counter++);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      break;
    }
    unlink(path);
    write_all(fd, text, n);
    lseek(fd, 0, SEEK_SET);
    return fd_move_high(fd);
  }
  sh_error("cannot create temp file for here document: %s", strerror(errno));
  return -1;
}

static const char *err_text(int e) {
  switch (e) {
  case ENOENT: return "No such file";
  case EACCES: return "Permission denied";
  case EISDIR: return "Is a directory";
  case ENOTDIR: return "Not a directory";
  default: return strerror(e);
  }
}

int redir_prepare(struct redir *r, struct rplan *p) {
  memset(p, 0, sizeof *p);
  for (; r; r = r->next) {
    int err = 0;
    if (r->type == R_HEREDOC) {
      char *text = r->heredoc_quoted ? xstrdup(r->heredoc ? r->heredoc : "")
                                     : expand_heredoc(r->heredoc ? r->heredoc : "", &err);
      int fd = err ? -1 : heredoc_fd(text);
      free(text);
      if (fd < 0) goto fail;
      plan_opened(p, fd);
      plan_add(p, RA_DUP, r->fd, fd);
      continue;
    }
    char *w = expand_string(r->word, &err);
    if (err) {
      free(w);
      goto fail;
    }
    if (r->type == R_DUPIN || r->type == R_DUPOUT) {
      if (strcmp(w, "-") == 0) {
        plan_add(p, RA_CLOSE, r->fd, -1);
      } else {
        char *end;
        long src = strtol(w, &end, 10);
        if (*w == '\0' || *end != '\0' || src < 0 || src > 1000000) {
          sh_error("Syntax error: Bad fd number");
          free(w);
          goto fail;
        }
        plan_add(p, RA_DUP, r->fd, (int)src);
      }
      free(w);
      continue;
    }
    int flags = 0;
    switch (r->type) {
    case R_IN: flags = O_RDONLY; break;
    case R_OUT:
    case R_CLOBBER: flags = O_WRONLY | O_CREAT | O_TRUNC; break;
    case R_APPEND: flags = O_WRONLY | O_CREAT | O_APPEND; break;
    case R_RDWR: flags = O_RDWR | O_CREAT; break;
    default: break;
    }
    int fd = open(w, flags | O_CLOEXEC, 0666);
    if (fd < 0) {
      int e = errno;
      if (r->type == R_IN) sh_error("cannot open %s: %s", w, err_text(e));
      else sh_error("cannot create %s: %s", w, e == ENOENT ? "Directory nonexistent" : err_text(e));
      free(w);
      goto fail;
    }
    free(w);
    fd = fd_move_high(fd);
    plan_opened(p, fd);
    plan_add(p, RA_DUP, r->fd, fd);
  }
  return 0;
fail:
  rplan_free(p);
  return -1;
}

/* Applies a plan to the shell's own fds. With `saved`, the previous fds are kept for
 * redir_restore (builtins, compound commands); without, the change is permanent (exec). */
int redir_apply(struct rplan *p, struct saved_fds *saved) {
  for (int i = 0; i < p->n; i++) {
    int fd = p->a[i].fd;
    if (saved) {
      int already = 0;
      for (int j = 0; j < saved->n; j++)
        if (saved->v[j].fd == fd) already = 1;
      if (!already) {
        saved->v = xrealloc(saved->v, (size_t)(saved->n + 1) * sizeof *saved->v);
        saved->v[saved->n].fd = fd;
        saved->v[saved->n].saved = fcntl(fd, F_DUPFD_CLOEXEC, SH_FD_MIN);
        saved->n++;
      }
    }
    if (p->a[i].kind == RA_CLOSE) {
      close(fd);
    } else if (p->a[i].src != fd) {
      if (dup2(p->a[i].src, fd) < 0) {
        sh_error("%d: %s", p->a[i].src, strerror(errno));
        return -1;
      }
    } else if (fcntl(fd, F_GETFD) < 0) {
      sh_error("%d: %s", fd, strerror(errno));
      return -1;
    }
  }
  return 0;
}

void redir_restore(struct saved_fds *saved) {
  for (int j = saved->n - 1; j >= 0; j--) {
    if (saved->v[j].saved >= 0) {
      dup2(saved->v[j].saved, saved->v[j].fd);
      close(saved->v[j].saved);
    } else {
      close(saved->v[j].fd);
    }
  }
  free(saved->v);
  saved->v = NULL;
  saved->n = 0;
}

/* ---- spawning ---- */

static int null_fd(void) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd_move_high(fd);
  int p[2];
  if (pipe(p) < 0) return -1;
  close(p[1]);
  return fd_move_high(p[0]);
}

/* Workaround for an occlum-ts kernel bug: its posix_spawn closes the close-on-exec fds *before*
 * running the file actions (Linux runs them first), so dup2(fd, n) of a close-on-exec fd fails
 * with EBADF. The sources of dup2 actions that are close-on-exec are made inheritable for the
 * duration of the spawn, and closed in the child by extra actions (so no pipe end leaks). */
struct srcfix {
  int fds[64];
  int n;
};

static void fix_source(struct srcfix *f, int fd) {
  for (int i = 0; i < f->n; i++)
    if (f->fds[i] == fd) return;
  int fl = fcntl(fd, F_GETFD);
  if (fl < 0 || !(fl & FD_CLOEXEC) || f->n == (int)(sizeof f->fds / sizeof f->fds[0])) return;
  fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
  f->fds[f->n++] = fd;
}

int sh_spawn(const char *path, char **argv, char **envp, int in, int out, struct rplan *rp, int bg,
             pid_t *pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  struct srcfix fix = {{0}, 0};
  int targets[66], ntargets = 0; /* fds the actions write (never closed by the fix) */
  int nfd = -1;
  posix_spawn_file_actions_init(&fa);
  if (in >= 0) {
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    fix_source(&fix, in);
  } else if (bg && !sh.interactive) {
    /* POSIX: asynchronous lists read /dev/null unless redirected */
    nfd = null_fd();
    if (nfd >= 0) {
      posix_spawn_file_actions_adddup2(&fa, nfd, 0);
      fix_source(&fix, nfd);
    }
  }
  targets[ntargets++] = 0;
  if (out >= 0) {
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    fix_source(&fix, out);
  }
  targets[ntargets++] = 1;
  for (int i = 0; rp && i < rp->n; i++) {
    if (rp->a[i].kind == RA_CLOSE) {
      posix_spawn_file_actions_addclose(&fa, rp->a[i].fd);
    } else {
      posix_spawn_file_actions_adddup2(&fa, rp->a[i].src, rp->a[i].fd);
      fix_source(&fix, rp->a[i].src);
    }
    if (ntargets < 66) targets[ntargets++] = rp->a[i].fd;
  }
  for (int i = 0; i < fix.n; i++) {
    int is_target = 0;
    for (int j = 0; j < ntargets; j++)
      if (targets[j] == fix.fds[i]) is_target = 1;
    if (!is_target) posix_spawn_file_actions_addclose(&fa, fix.fds[i]);
  }
  posix_spawnattr_init(&at);
  sigset_t mask, def;
  sigemptyset(&mask);
  sigemptyset(&def);
  short flags = POSIX_SPAWN_SETSIGMASK;
  if (sh.interactive) {
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGQUIT);
    sigaddset(&def, SIGTERM);
    flags |= POSIX_SPAWN_SETSIGDEF;
  }
  posix_spawnattr_setsigmask(&at, &mask);
  posix_spawnattr_setsigdefault(&at, &def);
  posix_spawnattr_setflags(&at, flags);
  int r = posix_spawn(pid, path, &fa, &at, argv, envp);
  for (int i = 0; i < fix.n; i++) fcntl(fix.fds[i], F_SETFD, FD_CLOEXEC);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (nfd >= 0) close(nfd);
  return r;
}

int spawn_shell_plan(const char *text, int in, int out, struct rplan *rp, int bg, pid_t *pid) {
  char *state = state_serialize();
  strv_t extra = {0};
  size_t n = strlen(SH_STATE_VAR) + strlen(state) + 2;
  char *kv = xmalloc(n);
  snprintf(kv, n, "%s=%s", SH_STATE_VAR, state);
  free(state);
  strv_add(&extra, kv);
  char **envp = var_environ(&extra);
  strv_free(&extra);
  char *argv[] = {(char *)"sh", (char *)"-c", (char *)text, NULL};
  int r = sh_spawn(sh.self, argv, envp, in, out, rp, bg, pid);
  for (char **e = envp; *e; e++) free(*e);
  free(envp);
  if (r != 0) sh_error("cannot start a shell (%s): %s", sh.self, strerror(r));
  return r;
}

/* ---- waiting ---- */

int status_from_wait(int ws) {
  if (WIFEXITED(ws)) return WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) return 128 + WTERMSIG(ws);
  return 128;
}

void report_signal(int ws) {
  if (!WIFSIGNALED(ws)) return;
  const char *m = sig_message(WTERMSIG(ws));
  if (m == NULL) return;
  str_t b = {0};
  if (*m) str_adds(&b, m);
  else {
    char buf[32];
    snprintf(buf, sizeof buf, "Signal %d", WTERMSIG(ws));
    str_adds(&b, buf);
  }
  if (WCOREDUMP(ws)) str_adds(&b, " (core dumped)");
  str_addc(&b, '\n');
  write_all(2, b.s, b.len);
  free(b.s);
}

int wait_pid(pid_t pid) {
  int ws = 0;
  for (;;) {
    pid_t r = waitpid(pid, &ws, 0);
    if (r == pid) return ws;
    if (r < 0 && errno == EINTR) continue;
    return 0;
  }
}

struct job {
  pid_t pid;
  int ws;
  int done;
};
static struct job *jobs;
static int njobs;

void job_add(pid_t pid) {
  jobs = xrealloc(jobs, (size_t)(njobs + 1) * sizeof *jobs);
  jobs[njobs].pid = pid;
  jobs[njobs].ws = 0;
  jobs[njobs].done = 0;
  njobs++;
}

static void job_remove(int i) {
  memmove(&jobs[i], &jobs[i + 1], (size_t)(njobs - i - 1) * sizeof *jobs);
  njobs--;
}

void jobs_reap(void) {
  int pending = 0;
  for (int i = 0; i < njobs; i++)
    if (!jobs[i].done) pending = 1;
  if (!pending) return;
  int ws;
  pid_t p;
  while ((p = waitpid(-1, &ws, WNOHANG)) > 0) {
    for (int i = 0; i < njobs; i++)
      if (jobs[i].pid == p) {
        jobs[i].ws = ws;
        jobs[i].done = 1;
      }
  }
}

/* The `wait` builtin's wait: like wait_pid, but a trapped signal interrupts it (returns -1; the
 * job stays), as POSIX asks: `wait` then returns 128 + the signal number. */
static int wait_interruptible(pid_t pid, int *ws) {
  for (;;) {
    pid_t r = waitpid(pid, ws, 0);
    if (r == pid) return 0;
    if (r < 0 && errno == EINTR) {
      if (trap_last) return -1;
      continue;
    }
    *ws = 0;
    return 0;
  }
}

int job_wait(pid_t pid, int *found) {
  *found = 0;
  for (int i = 0; i < njobs; i++) {
    if (jobs[i].pid != pid) continue;
    *found = 1;
    int ws = jobs[i].ws;
    if (!jobs[i].done && wait_interruptible(pid, &ws) < 0) return 128 + trap_last;
    job_remove(i);
    report_signal(ws);
    return status_from_wait(ws);
  }
  return 127;
}

int job_wait_all(void) {
  while (njobs > 0) {
    int ws = jobs[0].ws;
    if (!jobs[0].done && wait_interruptible(jobs[0].pid, &ws) < 0) return 128 + trap_last;
    job_remove(0);
  }
  return 0;
}

int jobs_count(void) { return njobs; }
pid_t job_pid(int i) { return i < njobs ? jobs[i].pid : 0; }

/* ---- command substitution ---- */

char *cmdsubst(const char *text, int *err) {
  int p[2];
  *err = 0;
  if (pipe(p) < 0) {
    sh_error("pipe: %s", strerror(errno));
    *err = 1;
    return NULL;
  }
  p[0] = fd_move_high(p[0]);
  p[1] = fd_move_high(p[1]);
  pid_t pid;
  int r = spawn_shell_plan(text, -1, p[1], NULL, 0, &pid);
  close(p[1]);
  if (r != 0) {
    close(p[0]);
    sh.status = 2;
    return xstrdup("");
  }
  str_t b = {0};
  char buf[4096];
  for (;;) {
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    str_addn(&b, buf, (size_t)n);
  }
  close(p[0]);
  int ws = wait_pid(pid);
  sh.status = status_from_wait(ws);
  sh.cmdsubst_ran = 1;
  while (b.len > 0 && b.s[b.len - 1] == '\n') b.s[--b.len] = '\0';
  /* NUL bytes cannot be in shell strings */
  char *s = str_done(&b);
  return s;
}

/* ---- PATH search ---- */

static int executable(const char *path, int *eacces) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  if (S_ISDIR(st.st_mode)) {
    *eacces = 1;
    return 0;
  }
  if (access(path, X_OK) != 0) {
    *eacces = 1;
    return 0;
  }
  return 1;
}

char *find_command(const char *name, int *err) {
  int eacces = 0;
  *err = 0;
  if (strchr(name, '/')) {
    if (executable(name, &eacces)) return xstrdup(name);
    *err = eacces ? 126 : 127;
    return NULL;
  }
  const char *path = var_get("PATH");
  if (path == NULL) path = "/bin:/usr/bin";
  const char *p = path;
  for (;;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    str_t b = {0};
    if (n == 0) str_addc(&b, '.');
    else str_addn(&b, p, n);
    str_addc(&b, '/');
    str_adds(&b, name);
    char *cand = str_done(&b);
    if (executable(cand, &eacces)) return cand;
    free(cand);
    if (!colon) break;
    p = colon + 1;
  }
  *err = eacces ? 126 : 127;
  return NULL;
}
