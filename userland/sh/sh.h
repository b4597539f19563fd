/*
 * occlum-ts userland: /bin/sh, a POSIX-style shell that never forks.
 *
 * Like Occlum's patched bash/busybox, every child process is created with posix_spawn: external
 * commands directly (pipes and redirections become spawn file actions), and everything that
 * needs a subshell (`( ... )`, `$( ... )`, builtins or compound commands inside a pipeline or in
 * the background) by spawning this shell again with `-c <text>` plus the parent's unexported
 * variables and special parameters passed in the environment variable SH_STATE_VAR.
 *
 * Files: input.c (input sources), lex.c (tokens), parse.c (syntax tree), deparse.c (tree back
 * to text for child shells), var.c (variables, positional parameters, functions, child-shell
 * state), expand.c + expand2.c (word expansion), arith.c ($((...))), exec.c (evaluation),
 * spawn.c (redirections, posix_spawn, jobs, command substitution, PATH), builtins.c +
 * builtins2.c (test, printf), sigtab.c (signal names), util.c (memory, strings), main.c.
 *
 * No setjmp/longjmp (wasm32 has none without extra runtime support): errors travel as return
 * values, and `exit`/`break`/`continue`/`return` as the global `sh.skip` state.
 */
#ifndef OCCLUM_SH_H
#define OCCLUM_SH_H

#include <stddef.h>
#include <sys/types.h>

#define SH_STATE_VAR "__OCCLUM_SH_STATE"
#define SH_FD_MIN 10 /* the shell's private fds live at or above this */

/* ---- dynamic strings (expand.c) ---- */
typedef struct {
  char *s;
  size_t len, cap;
} str_t;
void str_addc(str_t *b, char c);
void str_addn(str_t *b, const char *s, size_t n);
void str_adds(str_t *b, const char *s);
char *str_done(str_t *b); /* NUL-terminated, caller frees; b is reset */

/* ---- string lists ---- */
typedef struct {
  char **v;
  int n, cap;
} strv_t;
void strv_add(strv_t *l, char *s); /* takes ownership */
void strv_free(strv_t *l);
char **strv_nullterm(strv_t *l); /* appends NULL (not counted) and returns v */

/* ---- memory ---- */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* ---- input (input.c) ---- */
int pgetc(void);        /* next char or EOF (-1) */
void pungetc(int c);    /* push back one char (up to a few) */
void input_push_string(const char *s);
void input_push_fd(int fd, int interactive);
void input_pop(void);
int input_interactive(void);
void input_set_prompt(int which); /* 0 none, 1 PS1, 2 PS2: shown before the next line is read */
int input_lineno(void);
void input_skip_line(void); /* discards the rest of the current line (after a syntax error) */
size_t input_string_pos(void); /* string sources: characters consumed */
void input_record_start(str_t *b);
void input_record_stop(void);

/* ---- tokens and syntax tree (lex.c, parse.c) ---- */
enum tok {
  T_EOF, T_NL, T_WORD, T_IONUM, T_SEMI, T_DSEMI, T_AMP, T_AND, T_OR, T_PIPE, T_LPAREN, T_RPAREN,
  T_LESS, T_GREAT, T_DGREAT, T_LESSAND, T_GREATAND, T_LESSGREAT, T_DLESS, T_DLESSDASH, T_CLOBBER,
  T_ERROR
};

enum redir_type { R_IN, R_OUT, R_APPEND, R_CLOBBER, R_RDWR, R_DUPIN, R_DUPOUT, R_HEREDOC };

struct redir {
  struct redir *next;
  int fd;
  enum redir_type type;
  char *word;      /* target (raw) or heredoc delimiter (raw) */
  char *heredoc;   /* heredoc body (raw) */
  int heredoc_quoted; /* delimiter was quoted: no expansion of the body */
  int strip_tabs;  /* <<- */
};

enum node_type {
  N_CMD, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_NOT, N_IF, N_WHILE, N_UNTIL, N_FOR, N_CASE,
  N_SUBSHELL, N_BRACE, N_FUNC
};

struct case_item {
  struct case_item *next;
  strv_t pats;       /* raw patterns */
  struct node *body; /* may be NULL */
};

struct node {
  enum node_type type;
  struct redir *redirs; /* N_CMD and compound commands */
  int lineno;
  /* N_CMD */
  strv_t assigns, words;
  /* N_PIPE */
  struct node **cmds;
  int ncmds;
  /* binary / compound */
  struct node *a, *b, *c; /* N_AND/N_OR/N_SEQ: a, b; N_IF: cond a, then b, else c; loops: cond a,
                             body b; N_FOR: body b; N_BG/N_NOT/N_SUBSHELL/N_BRACE/N_FUNC: a */
  char *name;             /* N_FOR variable, N_FUNC name, N_CASE word (raw) */
  strv_t list;            /* N_FOR words; has_in says whether `in` was given */
  int has_in;
  struct case_item *items; /* N_CASE */
};

int lex_next(void);          /* returns enum tok; the text of T_WORD/T_IONUM is in lex_text */
void lex_unget(void);        /* the next lex_next() returns the same token again */
extern char *lex_text;       /* owned by the lexer until the next call; copy it */
extern int lex_quoted;       /* the word contained quoting (for reserved words / heredoc delimiters) */
void lex_heredoc_add(struct redir *r); /* body is read after the next newline */
int lex_heredoc_pending(void);
void lex_reset(void);
int lex_save(void);
void lex_restore(int saved);
/* s follows "$(": parses the command up to its ')'. Returns the characters consumed (with the
 * ')'), or -1 after a syntax error; *text = the command's text (caller frees). */
long lex_cmdsubst_in_string(const char *s, char **text);

/* Parses one complete command (up to a newline) from the current input. Returns NULL at end of
 * input (*eof = 1), for an empty line (*eof = 0), or on a syntax error (*err = 1, message printed). */
struct node *parse_command(int *eof, int *err);
void node_free(struct node *n); /* trees defining functions are never freed */
void deparse(struct node *n, str_t *out);
char *deparse_text(struct node *n); /* complete text, here-documents included */
const char *tok_name(int t);

/* ---- variables (var.c) ---- */
#define V_EXPORT 1
#define V_READONLY 2
const char *var_get(const char *name);      /* NULL if unset */
int var_set(const char *name, const char *value, int flags); /* -1 if readonly (message printed) */
int var_unset(const char *name);
void var_export(const char *name);
int var_is_readonly(const char *name);
int var_is_name(const char *s, size_t n);   /* [A-Za-z_][A-Za-z0-9_]* of length n */
void var_import_environ(char **envp);
char **var_environ(strv_t *extra); /* "K=V" of exported vars plus extra (K=V, overriding) */
void var_print(int which, int as_export); /* which: 0 all, 1 exported, 2 readonly */
/* temporary assignments (for builtins): */
struct var_save;
void var_save_push(struct var_save **list, const char *name);
void var_save_restore(struct var_save *s);
int var_save_has(struct var_save *s, const char *name);
extern struct var_save **func_locals; /* exec.c: NULL outside functions */

/* positional parameters */
extern char *sh_arg0;
extern char **sh_argv; /* $1..$n (not NULL-terminated necessarily) */
extern int sh_argc;
void pos_set(char **argv, int argc); /* copies */

/* subshell state */
char *state_serialize(void);
void state_restore(const char *s);

/* ---- functions (var.c) ---- */
struct node *func_get(const char *name);
void func_set(const char *name, struct node *body);
void func_unset(const char *name);

/* ---- expansion (expand.c, arith.c) ---- */
#define EXP_FIELDS 1 /* field splitting + pathname expansion */
#define EXP_NOGLOB 2 /* only field splitting */
/* Expands a raw word, adding fields to out. Returns 0, or -1 on error (message printed). */
int expand_word(const char *raw, int flags, strv_t *out);
/* Expands to one string (assignments, redirection targets, case words, here-doc bodies if heredoc). */
char *expand_string(const char *raw, int *err);
char *expand_heredoc(const char *body, int *err);
/* Expands a case pattern: quoted characters are escaped with backslashes for fnmatch. */
char *expand_pattern(const char *raw, int *err);
int arith_eval(const char *expr, long *result); /* 0 or -1 (message printed) */
char *cmdsubst(const char *text, int *err);      /* runs text in a child shell, returns its output */

/* ---- execution (exec.c) ---- */
/* skip state for exit/break/continue/return */
enum skip { SKIP_NONE, SKIP_BREAK, SKIP_CONT, SKIP_RETURN, SKIP_EXIT };
struct shell {
  int status;          /* $? */
  pid_t last_bg;       /* $! (0 = none) */
  pid_t pid;           /* $$ */
  enum skip skip;
  int skip_count;      /* levels for break/continue */
  int loop_depth;
  int func_depth;
  int interactive;
  int opt_e, opt_u, opt_x, opt_f, opt_n, opt_v;
  int in_cond;         /* evaluating an if/while condition or a && || operand: no -e exit */
  const char *self;    /* path of this shell's executable, for child shells */
  const char *name;    /* "sh" for messages */
  int subshell;        /* running as a child shell for ( ) $( ) etc. */
  int cmdsubst_ran;    /* a command substitution ran during the current expansion */
};
extern struct shell sh;

int eval_node(struct node *n);         /* returns the exit status, sets sh.status */
int eval_string(const char *s);        /* eval builtin, -c */
void jobs_reap(void);                  /* collect finished background children (WNOHANG) */
int job_wait(pid_t pid, int *found);   /* wait for one background child; returns status */
int job_wait_all(void);
int status_from_wait(int ws);
void sh_exit(int status);              /* runs EXIT trap, flushes, exits */
char *find_command(const char *name, int *err); /* PATH search; err = 127 / 126 */
int run_argv(char **argv, int argc);   /* external command with the shell's fds; waits */

/* ---- builtins (builtins.c) ---- */
typedef int (*builtin_fn)(int argc, char **argv);
struct builtin {
  const char *name;
  builtin_fn fn;
  int special;  /* POSIX special builtin: assignments persist, errors are fatal */
  int pure;     /* no effect on the shell state: may run in-process inside a pipeline */
};
const struct builtin *builtin_find(const char *name);
extern char *trap_cmds[65];
void traps_run(void);                  /* runs the commands of trapped signals that arrived */
#include <signal.h>
extern volatile sig_atomic_t trap_last; /* last trapped signal not yet handled, or 0 */
int sh_set_options(int argc, char **argv, int *consumed); /* set's option parsing */

/* ---- signals (sigtab.c) ---- */
const char *sig_name(int sig);    /* "TERM", or NULL */
int sig_num(const char *s);       /* from "TERM", "SIGTERM", "term" or "15"; -1 if unknown */
const char *sig_message(int sig); /* "Terminated"; NULL for SIGINT/SIGPIPE; "" if unknown */

/* ---- messages ---- */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int write_all(int fd, const char *s, size_t n);
int fd_move_high(int fd); /* dup to >= SH_FD_MIN with CLOEXEC, close the old fd */

#endif
