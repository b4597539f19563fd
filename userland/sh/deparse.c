/* /bin/sh: turns a syntax tree back into shell source, for child shells (`sh -c <text>`) that run
 * subshells, background compound commands and builtins inside pipelines. Lists are separated by
 * newlines, after which the bodies of here-documents met on the line are written. */
#include <stdio.h>
#include <string.h>

#include "sh.h"

static struct redir *pending[64];
static int npending;

static void word(str_t *o, const char *w) {
  for (; *w; w++) {
    if (*w == '\001') str_adds(o, "$(");
    else if (*w == '\002') str_addc(o, ')');
    else str_addc(o, *w);
  }
}

static void newline(str_t *o) {
  str_addc(o, '\n');
  for (int i = 0; i < npending; i++) {
    struct redir *r = pending[i];
    str_adds(o, r->heredoc ? r->heredoc : "");
    /* the delimiter without its quotes */
    for (const char *p = r->word; *p; p++) {
      if (*p == '\'' || *p == '"') continue;
      if (*p == '\\' && p[1]) p++;
      str_addc(o, *p);
    }
    str_addc(o, '\n');
  }
  npending = 0;
}

static void redirs(str_t *o, struct redir *r) {
  for (; r; r = r->next) {
    char buf[16];
    const char *op = "";
    int deffd = 1;
    switch (r->type) {
    case R_IN: op = "<"; deffd = 0; break;
    case R_OUT: op = ">"; break;
    case R_APPEND: op = ">>"; break;
    case R_CLOBBER: op = ">|"; break;
    case R_RDWR: op = "<>"; deffd = 0; break;
    case R_DUPIN: op = "<&"; deffd = 0; break;
    case R_DUPOUT: op = ">&"; break;
    case R_HEREDOC: op = "<<"; deffd = 0; break;
    }
    str_addc(o, ' ');
    if (r->fd != deffd) {
      snprintf(buf, sizeof buf, "%d", r->fd);
      str_adds(o, buf);
    }
    str_adds(o, op);
    if (r->type == R_HEREDOC) {
      /* the body was read already (tabs stripped for <<-); keep the delimiter's quoting */
      str_adds(o, r->word);
      if (npending < (int)(sizeof pending / sizeof pending[0])) pending[npending++] = r;
    } else {
      word(o, r->word);
    }
  }
}

static void list(str_t *o, struct node *n) {
  deparse(n, o);
  newline(o);
}

void deparse(struct node *n, str_t *o) {
  if (n == NULL) {
    str_addc(o, ':');
    return;
  }
  switch (n->type) {
  case N_CMD:
    for (int i = 0; i < n->assigns.n; i++) {
      if (i) str_addc(o, ' ');
      word(o, n->assigns.v[i]);
    }
    for (int i = 0; i < n->words.n; i++) {
      if (i || n->assigns.n) str_addc(o, ' ');
      word(o, n->words.v[i]);
    }
    if (n->assigns.n == 0 && n->words.n == 0) str_addc(o, ':');
    redirs(o, n->redirs);
    return;
  case N_PIPE:
    for (int i = 0; i < n->ncmds; i++) {
      if (i) str_adds(o, " | ");
      deparse(n->cmds[i], o);
    }
    return;
  case N_AND:
  case N_OR:
    deparse(n->a, o);
    str_adds(o, n->type == N_AND ? " && " : " || ");
    deparse(n->b, o);
    return;
  case N_SEQ:
    deparse(n->a, o);
    newline(o);
    deparse(n->b, o);
    return;
  case N_BG:
    deparse(n->a, o);
    str_adds(o, " &");
    return;
  case N_NOT:
    str_adds(o, "! ");
    deparse(n->a, o);
    return;
  case N_IF:
    str_adds(o, "if ");
    list(o, n->a);
    str_adds(o, "then ");
    list(o, n->b);
    if (n->c) {
      str_adds(o, "else ");
      list(o, n->c);
    }
    str_adds(o, "fi");
    break;
  case N_WHILE:
  case N_UNTIL:
    str_adds(o, n->type == N_WHILE ? "while " : "until ");
    list(o, n->a);
    str_adds(o, "do ");
    list(o, n->b);
    str_adds(o, "done");
    break;
  case N_FOR:
    str_adds(o, "for ");
    str_adds(o, n->name);
    if (n->has_in) {
      str_adds(o, " in");
      for (int i = 0; i < n->list.n; i++) {
        str_addc(o, ' ');
        word(o, n->list.v[i]);
      }
    }
    newline(o);
    str_adds(o, "do ");
    list(o, n->b);
    str_adds(o, "done");
    break;
  case N_CASE:
    str_adds(o, "case ");
    word(o, n->name);
    str_adds(o, " in");
    newline(o);
    for (struct case_item *it = n->items; it; it = it->next) {
      str_addc(o, '(');
      for (int i = 0; i < it->pats.n; i++) {
        if (i) str_addc(o, '|');
        word(o, it->pats.v[i]);
      }
      str_adds(o, ") ");
      list(o, it->body);
      str_adds(o, ";;");
      newline(o);
    }
    str_adds(o, "esac");
    break;
  case N_SUBSHELL:
    str_adds(o, "( ");
    list(o, n->a);
    str_addc(o, ')');
    break;
  case N_BRACE:
    str_adds(o, "{ ");
    list(o, n->a);
    str_addc(o, '}');
    break;
  case N_FUNC:
    str_adds(o, n->name);
    str_adds(o, "() ");
    deparse(n->a, o);
    return; /* the body carries its own redirections */
  }
  redirs(o, n->redirs);
}

/* The complete text of a tree, here-documents included. */
char *deparse_text(struct node *n) {
  str_t o = {0};
  npending = 0;
  deparse(n, &o);
  newline(&o);
  return str_done(&o);
}
