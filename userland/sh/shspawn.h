/* /bin/sh: internals shared by spawn.c, exec.c and builtins.c. */
#ifndef OCCLUM_SH_SHSPAWN_H
#define OCCLUM_SH_SHSPAWN_H

#include <sys/types.h>

#include "sh.h"

enum { RA_DUP, RA_CLOSE };

/* Redirections resolved: files opened (by the shell, so errors are reported like dash's), then a
 * list of dup2/close steps, applied either as spawn file actions or to the shell's own fds. */
struct rplan {
  int n;
  struct ract {
    int kind;
    int fd;
    int src;
  } *a;
  int *opened; /* fds the shell opened (closed by rplan_free) */
  int nopened;
};

struct saved_fds {
  int n;
  struct {
    int fd;
    int saved; /* copy of the old fd, or -1 if it was closed */
  } *v;
};

int redir_prepare(struct redir *r, struct rplan *p); /* 0, or -1 (message printed) */
void rplan_free(struct rplan *p);
int redir_apply(struct rplan *p, struct saved_fds *saved);
void redir_restore(struct saved_fds *saved);

/* posix_spawn with stdin/stdout from `in`/`out` (-1: inherited) and then the plan; returns 0 or
 * an errno value. `bg`: an asynchronous command (stdin /dev/null unless given). */
int sh_spawn(const char *path, char **argv, char **envp, int in, int out, struct rplan *rp, int bg,
             pid_t *pid);
/* A child shell running `text` with this shell's state. */
int spawn_shell_plan(const char *text, int in, int out, struct rplan *rp, int bg, pid_t *pid);

int wait_pid(pid_t pid); /* raw wait status */
void report_signal(int ws);
void job_add(pid_t pid);
int jobs_count(void);
pid_t job_pid(int i);

#endif
