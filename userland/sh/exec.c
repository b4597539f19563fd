/* /bin/sh: evaluation of the syntax tree — lists, pipelines, simple commands (functions,
 * builtins in-process, external commands spawned with posix_spawn), compound commands, subshells
 * (child shells) and background commands. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"
#include "shspawn.h"

struct shell sh;

static int set_status(int s) {
  sh.status = s;
  return s;
}

static void check_errexit(int s) {
  if (sh.opt_e && s != 0 && !sh.in_cond) sh_exit(s);
}

/* Expansion errors end a non-interactive shell, as in dash. */
static int expansion_failed(void) {
  if (!sh.interactive) sh_exit(2);
  return set_status(2);
}

/* Single-quotes s (for the text given to a child shell). */
static void squote(str_t *o, const char *s) {
  str_addc(o, '\'');
  for (; *s; s++) {
    if (*s == '\'') str_adds(o, "'\\''");
    else str_addc(o, *s);
  }
  str_addc(o, '\'');
}

static void xtrace(strv_t *assigns, char **argv, int argc) {
  if (!sh.opt_x) return;
  str_t b = {0};
  const char *ps4 = var_get("PS4");
  str_adds(&b, ps4 ? ps4 : "+ ");
  int first = 1;
  for (int i = 0; assigns && i < assigns->n; i++) {
    if (!first) str_addc(&b, ' ');
    str_adds(&b, assigns->v[i]);
    first = 0;
  }
  for (int i = 0; i < argc; i++) {
    if (!first) str_addc(&b, ' ');
    str_adds(&b, argv[i]);
    first = 0;
  }
  str_addc(&b, '\n');
  write_all(2, b.s, b.len);
  free(b.s);
}

/* ---- the plain name of a command word, if it needs no expansion ---- */
static int plain_word(const char *w) {
  if (*w == '\0') return 0;
  for (; *w; w++)
    if (strchr("$`'\"\\\001*?[~", *w)) return 0;
  return 1;
}

/* A pipeline element that may run inside the shell: a builtin without effect on the shell. */
static int is_pure_cmd(struct node *c) {
  if (c->type != N_CMD || c->words.n == 0 || !plain_word(c->words.v[0])) return 0;
  const struct builtin *b = builtin_find(c->words.v[0]);
  return b && b->pure && func_get(c->words.v[0]) == NULL;
}

/* ---- running builtins and functions in the shell ---- */

static int with_redirs(struct redir *r, struct saved_fds *sv) {
  if (r == NULL) return 0;
  struct rplan p;
  if (redir_prepare(r, &p) < 0) return -1;
  int rc = redir_apply(&p, sv);
  rplan_free(&p);
  if (rc < 0) redir_restore(sv);
  return rc;
}

static int assign_all(strv_t *assigns, int temporary, struct var_save **saves) {
  for (int i = 0; i < assigns->n; i++) {
    const char *a = assigns->v[i];
    const char *eq = strchr(a, '=');
    char *name = xstrndup(a, (size_t)(eq - a));
    int err = 0;
    char *val = expand_string(eq + 1, &err);
    if (err) {
      free(name);
      free(val);
      return -1;
    }
    if (temporary) var_save_push(saves, name);
    int r = var_set(name, val, temporary ? V_EXPORT : 0);
    free(name);
    free(val);
    if (r < 0) {
      if (!sh.interactive) sh_exit(2);
      return -2;
    }
  }
  return 0;
}

struct var_save **func_locals; /* the running function's `local` variables */

static int call_function(struct node *body, char **argv, int argc) {
  char **old_argv = sh_argv;
  int old_argc = sh_argc;
  struct var_save *locals = NULL, **old_locals = func_locals;
  func_locals = &locals;
  sh_argv = NULL;
  sh_argc = 0;
  pos_set(argv + 1, argc - 1);
  sh.func_depth++;
  int save_loop = sh.loop_depth;
  sh.loop_depth = 0;
  int s = eval_node(body);
  sh.loop_depth = save_loop;
  sh.func_depth--;
  if (sh.skip == SKIP_RETURN) sh.skip = SKIP_NONE;
  if (sh.skip == SKIP_BREAK || sh.skip == SKIP_CONT) sh.skip = SKIP_NONE;
  var_save_restore(locals);
  func_locals = old_locals;
  pos_set(NULL, 0);
  free(sh_argv);
  sh_argv = old_argv;
  sh_argc = old_argc;
  return sh.status = s;
}

static int exec_builtin(struct node *n, char **argv, int argc);

/* In-process: a builtin or a function, with its assignments and redirections. */
static int run_inproc(struct node *n, const struct builtin *b, struct node *fn, char **argv, int argc) {
  struct var_save *saves = NULL;
  int special = b && b->special;
  if (b && strcmp(argv[0], "exec") == 0) return exec_builtin(n, argv, argc);
  int ar = assign_all(&n->assigns, !special, &saves);
  if (ar < 0) {
    var_save_restore(saves);
    if (ar == -1) return expansion_failed();
    return set_status(1);
  }
  struct saved_fds sv = {0};
  if (with_redirs(n->redirs, &sv) < 0) {
    var_save_restore(saves);
    if (special && !sh.interactive) sh_exit(2);
    return set_status(2);
  }
  int s;
  if (fn) s = call_function(fn, argv, argc);
  else s = b->fn(argc, argv);
  redir_restore(&sv);
  var_save_restore(saves);
  return set_status(s);
}

/* exec [cmd args]: redirections stay; with a command, the shell is replaced by it. */
static int exec_builtin(struct node *n, char **argv, int argc) {
  struct rplan p;
  if (n->redirs) {
    if (redir_prepare(n->redirs, &p) < 0) {
      if (!sh.interactive) sh_exit(2);
      return set_status(2);
    }
    int rc = redir_apply(&p, NULL);
    rplan_free(&p);
    if (rc < 0) return set_status(2);
  }
  if (argc < 2) {
    struct var_save *saves = NULL;
    if (assign_all(&n->assigns, 0, &saves) < 0) return set_status(1);
    return set_status(0);
  }
  int err;
  char *path = find_command(argv[1], &err);
  if (path == NULL) {
    sh_error("exec: %s: %s", argv[1], err == 126 ? "Permission denied" : "not found");
    sh_exit(err);
  }
  strv_t extra = {0};
  for (int i = 0; i < n->assigns.n; i++) {
    int e = 0;
    const char *eq = strchr(n->assigns.v[i], '=');
    char *val = expand_string(eq + 1, &e);
    str_t kv = {0};
    str_addn(&kv, n->assigns.v[i], (size_t)(eq - n->assigns.v[i] + 1));
    str_adds(&kv, val);
    free(val);
    strv_add(&extra, str_done(&kv));
  }
  char **envp = var_environ(&extra);
  execve(path, argv + 1, envp);
  int e = errno;
  sh_error("exec: %s: %s", argv[1], strerror(e));
  sh_exit(e == ENOENT ? 127 : 126);
  return 126;
}

/* ---- external commands ---- */

/* A script without #! (ENOEXEC): run it with this shell; with #!interp [arg], with interp. */
static int spawn_script(const char *path, char **argv, int argc, char **envp, int in, int out,
                        struct rplan *rp, int bg, pid_t *pid) {
  char head[256];
  const char *interp = sh.self;
  char *arg = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char ibuf[256];
  if (fd >= 0) {
    ssize_t n = read(fd, head, sizeof head - 1);
    close(fd);
    if (n > 2 && head[0] == '#' && head[1] == '!') {
      head[n] = '\0';
      char *p = head + 2;
      char *nl = strchr(p, '\n');
      if (nl) *nl = '\0';
      while (*p == ' ' || *p == '\t') p++;
      char *e = p;
      while (*e && *e != ' ' && *e != '\t') e++;
      snprintf(ibuf, sizeof ibuf, "%.*s", (int)(e - p), p);
      while (*e == ' ' || *e == '\t') e++;
      if (*e) {
        arg = e;
        char *t = arg + strlen(arg);
        while (t > arg && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r')) *--t = '\0';
      }
      if (strcmp(ibuf, "/bin/sh") != 0 && ibuf[0]) interp = ibuf;
    } else if (n > 0 && memchr(head, '\0', (size_t)n)) {
      return ENOEXEC; /* binary: not a script */
    }
  }
  strv_t av = {0};
  strv_add(&av, xstrdup(interp == sh.self ? "sh" : interp));
  if (arg) strv_add(&av, xstrdup(arg));
  strv_add(&av, xstrdup(path));
  for (int i = 1; i < argc; i++) strv_add(&av, xstrdup(argv[i]));
  int r = sh_spawn(interp, strv_nullterm(&av), envp, in, out, rp, bg, pid);
  strv_free(&av);
  return r;
}

/* Spawns argv (argv[0] searched in PATH). Returns 0 with *pid set, or an exit status with
 * *pid = 0 after printing why the command could not start. */
static int run_external(struct node *n, char **argv, int argc, int in, int out, int bg, pid_t *pid) {
  *pid = 0;
  int err;
  char *path = find_command(argv[0], &err);
  if (path == NULL) {
    sh_error("%s: %s", argv[0], err == 126 ? "Permission denied" : "not found");
    return err;
  }
  strv_t extra = {0};
  for (int i = 0; i < n->assigns.n; i++) {
    int e = 0;
    const char *eq = strchr(n->assigns.v[i], '=');
    char *val = expand_string(eq + 1, &e);
    if (e) {
      free(val);
      strv_free(&extra);
      free(path);
      return expansion_failed();
    }
    str_t kv = {0};
    str_addn(&kv, n->assigns.v[i], (size_t)(eq - n->assigns.v[i] + 1));
    str_adds(&kv, val);
    free(val);
    strv_add(&extra, str_done(&kv));
  }
  struct rplan p;
  if (redir_prepare(n->redirs, &p) < 0) {
    strv_free(&extra);
    free(path);
    return 2;
  }
  char **envp = var_environ(&extra);
  strv_free(&extra);
  int r = sh_spawn(path, argv, envp, in, out, &p, bg, pid);
  if (r == ENOEXEC) r = spawn_script(path, argv, argc, envp, in, out, &p, bg, pid);
  for (char **e = envp; *e; e++) free(*e);
  free(envp);
  rplan_free(&p);
  int status = 0;
  if (r != 0) {
    *pid = 0;
    if (r == ENOENT) {
      sh_error("%s: not found", argv[0]);
      status = 127;
    } else {
      sh_error("%s: %s", argv[0], strerror(r));
      status = 126;
    }
  }
  free(path);
  return status;
}

/* An external command with the shell's current fds (command builtin); waits for it. */
int run_argv(char **argv, int argc) {
  struct node n;
  memset(&n, 0, sizeof n);
  n.type = N_CMD;
  pid_t pid = 0;
  int status = run_external(&n, argv, argc, -1, -1, 0, &pid);
  if (pid == 0) return status;
  int ws = wait_pid(pid);
  report_signal(ws);
  return status_from_wait(ws);
}

/* ---- simple commands ----
 * pid == NULL: run in the foreground and wait. Otherwise start it (in a pipeline or in the
 * background) and return with *pid set (0 if nothing was started; the result is then its status). */
static int run_simple(struct node *n, int in, int out, int bg, pid_t *pid) {
  strv_t args = {0};
  if (pid) *pid = 0;
  sh.cmdsubst_ran = 0;
  for (int i = 0; i < n->words.n; i++)
    if (expand_word(n->words.v[i], EXP_FIELDS, &args) < 0) {
      strv_free(&args);
      return expansion_failed();
    }
  char **argv = strv_nullterm(&args);
  int argc = args.n;
  int status;

  if (argc == 0) {
    /* assignments and redirections only */
    status = 0;
    if (pid == NULL && !bg) {
      struct var_save *saves = NULL;
      int ar = assign_all(&n->assigns, 0, &saves);
      if (ar == -1) {
        strv_free(&args);
        return expansion_failed();
      }
      status = ar < 0 ? 1 : (sh.cmdsubst_ran ? sh.status : 0);
    }
    xtrace(&n->assigns, NULL, 0);
    if (n->redirs) {
      struct rplan p;
      if (redir_prepare(n->redirs, &p) < 0) status = 2;
      else rplan_free(&p);
    }
    strv_free(&args);
    return set_status(status);
  }

  xtrace(&n->assigns, argv, argc);
  struct node *fn = func_get(argv[0]);
  const struct builtin *b = fn ? NULL : builtin_find(argv[0]);
  if (fn || b) {
    if (pid == NULL && !bg) {
      status = run_inproc(n, b, fn, argv, argc);
      strv_free(&args);
      return status;
    }
    /* in a pipeline or in the background: a child shell runs it, with the words as expanded */
    struct node tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.type = N_CMD;
    tmp.redirs = n->redirs;
    tmp.assigns = n->assigns;
    for (int i = 0; i < argc; i++) {
      str_t q = {0};
      squote(&q, argv[i]);
      strv_add(&tmp.words, str_done(&q));
    }
    char *text = deparse_text(&tmp);
    strv_free(&tmp.words);
    pid_t p = 0;
    int rc = spawn_shell_plan(text, in, out, NULL, bg, &p);
    free(text);
    strv_free(&args);
    if (pid) *pid = p;
    if (rc != 0) return set_status(2);
    if (bg) {
      job_add(p);
      sh.last_bg = p;
    }
    return 0;
  }

  pid_t p = 0;
  status = run_external(n, argv, argc, in, out, bg, &p);
  strv_free(&args);
  if (p == 0) return set_status(status);
  if (pid) {
    *pid = p;
    return 0;
  }
  if (bg) {
    job_add(p);
    sh.last_bg = p;
    return set_status(0);
  }
  int ws = wait_pid(p);
  report_signal(ws);
  return set_status(status_from_wait(ws));
}

/* ---- pipelines ---- */

static int run_pipeline(struct node *n, int bg) {
  int k = n->ncmds;
  pid_t *pids = xmalloc((size_t)k * sizeof *pids);
  int *st = xmalloc((size_t)k * sizeof *st);
  int *din = xmalloc((size_t)k * sizeof *din), *dout = xmalloc((size_t)k * sizeof *dout);
  char *deferred = xmalloc((size_t)k);
  memset(pids, 0, (size_t)k * sizeof *pids);
  memset(st, 0, (size_t)k * sizeof *st);
  memset(deferred, 0, (size_t)k);
  int prev = -1;
  for (int i = 0; i < k; i++) {
    int p[2] = {-1, -1};
    pids[i] = 0;
    st[i] = 0;
    deferred[i] = 0;
    if (i < k - 1) {
      if (pipe(p) < 0) {
        sh_error("pipe: %s", strerror(errno));
        st[i] = 2;
        break;
      }
      p[0] = fd_move_high(p[0]);
      p[1] = fd_move_high(p[1]);
    }
    struct node *c = n->cmds[i];
    if (!bg && is_pure_cmd(c)) {
      /* runs in the shell once every other element has started (right to left, so that each
       * one's reader is running or gone) */
      deferred[i] = 1;
      din[i] = prev;
      dout[i] = p[1];
      prev = p[0];
      continue;
    }
    if (c->type == N_CMD) {
      st[i] = run_simple(c, prev, p[1], bg, &pids[i]);
    } else {
      char *text = deparse_text(c);
      if (spawn_shell_plan(text, prev, p[1], NULL, bg, &pids[i]) != 0) st[i] = 2;
      free(text);
    }
    if (prev >= 0) close(prev);
    if (p[1] >= 0) close(p[1]);
    prev = p[0];
  }
  if (prev >= 0) close(prev); /* only after a failed pipe() */
  for (int i = k - 1; i >= 0; i--) {
    if (!deferred[i]) continue;
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    struct rplan p;
    memset(&p, 0, sizeof p);
    struct ract acts[2];
    p.a = acts;
    if (din[i] >= 0) acts[p.n++] = (struct ract){RA_DUP, 0, din[i]};
    if (dout[i] >= 0) acts[p.n++] = (struct ract){RA_DUP, 1, dout[i]};
    struct saved_fds sv = {0};
    redir_apply(&p, &sv);
    if (din[i] >= 0) close(din[i]);
    if (dout[i] >= 0) close(dout[i]);
    st[i] = run_simple(n->cmds[i], -1, -1, 0, NULL);
    redir_restore(&sv);
    sigaction(SIGPIPE, &old, NULL);
  }
  int status = 0;
  if (bg) {
    for (int i = 0; i < k; i++)
      if (pids[i] > 0) {
        job_add(pids[i]);
        sh.last_bg = pids[i];
      }
  } else {
    for (int i = 0; i < k; i++) {
      if (pids[i] <= 0) continue;
      int ws = wait_pid(pids[i]);
      report_signal(ws);
      st[i] = status_from_wait(ws);
    }
    status = st[k - 1];
  }
  free(pids);
  free(st);
  free(din);
  free(dout);
  free(deferred);
  return set_status(status);
}

/* ---- compound commands ---- */

/* After a loop body: handles break/continue. Returns 1 to leave the loop. */
static int loop_skip(void) {
  if (sh.skip == SKIP_BREAK || sh.skip == SKIP_CONT) {
    if (--sh.skip_count > 0) return 1;
    enum skip k = sh.skip;
    sh.skip = SKIP_NONE;
    return k == SKIP_BREAK;
  }
  return sh.skip != SKIP_NONE;
}

static int eval_loop(struct node *n) {
  int s = 0;
  sh.loop_depth++;
  for (;;) {
    sh.in_cond++;
    int c = eval_node(n->a);
    sh.in_cond--;
    if (sh.skip) {
      if (loop_skip()) break;
      continue;
    }
    if ((c == 0) != (n->type == N_WHILE)) break;
    s = eval_node(n->b);
    if (sh.skip && loop_skip()) break;
    jobs_reap();
  }
  sh.loop_depth--;
  return set_status(s);
}

static int eval_for(struct node *n) {
  strv_t items = {0};
  if (n->has_in) {
    for (int i = 0; i < n->list.n; i++)
      if (expand_word(n->list.v[i], EXP_FIELDS, &items) < 0) {
        strv_free(&items);
        return expansion_failed();
      }
  } else {
    for (int i = 0; i < sh_argc; i++) strv_add(&items, xstrdup(sh_argv[i]));
  }
  int s = 0;
  sh.loop_depth++;
  for (int i = 0; i < items.n; i++) {
    if (var_set(n->name, items.v[i], 0) < 0) {
      s = 1;
      break;
    }
    s = eval_node(n->b);
    if (sh.skip && loop_skip()) break;
  }
  sh.loop_depth--;
  strv_free(&items);
  return set_status(s);
}

static int eval_case(struct node *n) {
  int err = 0;
  char *w = expand_string(n->name, &err);
  if (err) {
    free(w);
    return expansion_failed();
  }
  int s = 0;
  for (struct case_item *it = n->items; it; it = it->next) {
    for (int i = 0; i < it->pats.n; i++) {
      char *pat = expand_pattern(it->pats.v[i], &err);
      if (err) {
        free(pat);
        free(w);
        return expansion_failed();
      }
      int m = fnmatch(pat, w, 0) == 0;
      free(pat);
      if (m) {
        s = it->body ? eval_node(it->body) : 0;
        free(w);
        return set_status(s);
      }
    }
  }
  free(w);
  return set_status(s);
}

static int eval_subshell(struct node *n, int bg) {
  char *text = deparse_text(n->a);
  struct rplan p;
  if (redir_prepare(n->redirs, &p) < 0) {
    free(text);
    return set_status(2);
  }
  pid_t pid = 0;
  int r = spawn_shell_plan(text, -1, -1, &p, bg, &pid);
  rplan_free(&p);
  free(text);
  if (r != 0) return set_status(2);
  if (bg) {
    job_add(pid);
    sh.last_bg = pid;
    return set_status(0);
  }
  int ws = wait_pid(pid);
  report_signal(ws);
  return set_status(status_from_wait(ws));
}

static int eval_compound(struct node *n) {
  switch (n->type) {
  case N_IF: {
    sh.in_cond++;
    int c = eval_node(n->a);
    sh.in_cond--;
    if (sh.skip) return c;
    if (c == 0) return eval_node(n->b);
    if (n->c) return eval_node(n->c);
    return set_status(0);
  }
  case N_WHILE:
  case N_UNTIL: return eval_loop(n);
  case N_FOR: return eval_for(n);
  case N_CASE: return eval_case(n);
  case N_BRACE: return eval_node(n->a);
  default: return set_status(0);
  }
}

static int eval_background(struct node *n) {
  if (n->type == N_CMD) {
    run_simple(n, -1, -1, 1, NULL);
    return set_status(0);
  }
  if (n->type == N_PIPE) {
    run_pipeline(n, 1);
    return set_status(0);
  }
  if (n->type == N_SUBSHELL) return eval_subshell(n, 1);
  char *text = deparse_text(n);
  pid_t pid = 0;
  if (spawn_shell_plan(text, -1, -1, NULL, 1, &pid) == 0) {
    job_add(pid);
    sh.last_bg = pid;
  }
  free(text);
  return set_status(0);
}

int eval_node(struct node *n) {
  int s;
  if (n == NULL) return set_status(0);
  switch (n->type) {
  case N_SEQ:
    eval_node(n->a);
    if (sh.skip) return sh.status;
    return eval_node(n->b);
  case N_AND:
  case N_OR:
    sh.in_cond++;
    s = eval_node(n->a);
    sh.in_cond--;
    if (sh.skip) return s;
    if ((s == 0) == (n->type == N_AND)) return eval_node(n->b);
    return set_status(s);
  case N_NOT:
    sh.in_cond++;
    s = eval_node(n->a);
    sh.in_cond--;
    return set_status(s == 0 ? 1 : 0);
  case N_BG: return eval_background(n->a);
  case N_PIPE:
    s = run_pipeline(n, 0);
    traps_run();
    check_errexit(s);
    return s;
  case N_CMD:
    s = run_simple(n, -1, -1, 0, NULL);
    traps_run();
    check_errexit(s);
    return s;
  case N_SUBSHELL:
    s = eval_subshell(n, 0);
    check_errexit(s);
    return s;
  case N_FUNC:
    func_set(n->name, n->a);
    return set_status(0);
  default: {
    struct saved_fds sv = {0};
    if (with_redirs(n->redirs, &sv) < 0) return set_status(2);
    s = eval_compound(n);
    redir_restore(&sv);
    return s;
  }
  }
}

int eval_string(const char *s) {
  int status = 0;
  int lx = lex_save();
  input_push_string(s);
  lex_reset();
  for (;;) {
    int eof, err;
    struct node *n = parse_command(&eof, &err);
    if (err) {
      status = set_status(2);
      if (!sh.interactive) sh_exit(2);
      break;
    }
    if (eof) break;
    if (n) {
      status = eval_node(n);
      node_free(n);
      if (sh.skip) break;
    }
  }
  input_pop();
  lex_restore(lx);
  return status;
}
