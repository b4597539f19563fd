/* /bin/sh: the parser (recursive descent over lex.c's tokens) and tree utilities. */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

static int perr; /* a syntax error was reported */

static struct node *node_new(enum node_type t) {
  struct node *n = xmalloc(sizeof *n);
  memset(n, 0, sizeof *n);
  n->type = t;
  n->lineno = input_lineno();
  return n;
}

static void syntax_unexpected(int t) {
  if (perr) return;
  perr = 1;
  if (t == T_ERROR) return; /* the lexer reported it */
  if (t == T_EOF) sh_error("Syntax error: end of file unexpected");
  else if (t == T_NL) sh_error("Syntax error: newline unexpected");
  else sh_error("Syntax error: \"%s\" unexpected", tok_name(t));
}

/* At end of file, dash names what it was waiting for. */
static void syntax_expecting(int t, const char *what) {
  if (t == T_EOF && !perr) {
    perr = 1;
    sh_error("Syntax error: end of file unexpected (expecting \"%s\")", what);
    return;
  }
  syntax_unexpected(t);
}

static int peek(void) {
  int t = lex_next();
  lex_unget();
  return t;
}

static int is_word(int t, const char *w) { return t == T_WORD && strcmp(lex_text, w) == 0; }

/* Reserved words that end a list. */
static int is_closer(int t) {
  if (t == T_EOF || t == T_RPAREN || t == T_DSEMI) return 1;
  if (t != T_WORD) return 0;
  static const char *const w[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}", NULL};
  for (int i = 0; w[i]; i++)
    if (strcmp(lex_text, w[i]) == 0) return 1;
  return 0;
}

static void skip_newlines(void) {
  int t;
  while ((t = lex_next()) == T_NL) {
  }
  lex_unget();
}

/* Reads a token that must be the reserved word w. */
static int expect_word(const char *w) {
  int t = lex_next();
  if (is_word(t, w)) return 0;
  syntax_expecting(t, w);
  return -1;
}

static struct node *parse_list(int top);
static struct node *parse_command_inner(void);

static int is_redir_tok(int t) {
  return t == T_LESS || t == T_GREAT || t == T_DGREAT || t == T_LESSAND || t == T_GREATAND ||
         t == T_LESSGREAT || t == T_DLESS || t == T_DLESSDASH || t == T_CLOBBER;
}

/* A redirection; t is its operator token (an IO number, if any, was already read into fd). */
static struct redir *parse_redir(int t, int fd) {
  struct redir *r = xmalloc(sizeof *r);
  memset(r, 0, sizeof *r);
  switch (t) {
  case T_LESS: r->type = R_IN; break;
  case T_GREAT: r->type = R_OUT; break;
  case T_DGREAT: r->type = R_APPEND; break;
  case T_CLOBBER: r->type = R_CLOBBER; break;
  case T_LESSGREAT: r->type = R_RDWR; break;
  case T_LESSAND: r->type = R_DUPIN; break;
  case T_GREATAND: r->type = R_DUPOUT; break;
  default: r->type = R_HEREDOC; r->strip_tabs = (t == T_DLESSDASH); break;
  }
  if (fd < 0) fd = (r->type == R_IN || r->type == R_RDWR || r->type == R_DUPIN || r->type == R_HEREDOC) ? 0 : 1;
  r->fd = fd;
  int w = lex_next();
  if (w != T_WORD) {
    syntax_unexpected(w);
    free(r);
    return NULL;
  }
  r->word = xstrdup(lex_text);
  if (r->type == R_HEREDOC) {
    r->heredoc_quoted = strpbrk(r->word, "'\"\\") != NULL;
    lex_heredoc_add(r);
  }
  return r;
}

/* Redirections after a compound command. */
static int parse_trailing_redirs(struct node *n) {
  struct redir **tail = &n->redirs;
  for (;;) {
    int t = lex_next();
    int fd = -1;
    if (t == T_IONUM) {
      fd = atoi(lex_text);
      t = lex_next();
    }
    if (!is_redir_tok(t)) {
      if (fd >= 0) {
        syntax_unexpected(t);
        return -1;
      }
      lex_unget();
      return 0;
    }
    struct redir *r = parse_redir(t, fd);
    if (r == NULL) return -1;
    *tail = r;
    tail = &r->next;
  }
}

static int is_assignment(const char *w) {
  const char *eq = strchr(w, '=');
  return eq != NULL && eq != w && var_is_name(w, (size_t)(eq - w));
}

static struct node *parse_simple(void) {
  struct node *n = node_new(N_CMD);
  struct redir **tail = &n->redirs;
  for (;;) {
    int t = lex_next();
    int fd = -1;
    if (t == T_IONUM) {
      fd = atoi(lex_text);
      t = lex_next();
      if (!is_redir_tok(t)) {
        syntax_unexpected(t);
        goto fail;
      }
    }
    if (is_redir_tok(t)) {
      struct redir *r = parse_redir(t, fd);
      if (r == NULL) goto fail;
      *tail = r;
      tail = &r->next;
      continue;
    }
    if (t == T_WORD) {
      if (n->words.n == 0 && is_assignment(lex_text)) {
        strv_add(&n->assigns, xstrdup(lex_text));
        continue;
      }
      char *w = xstrdup(lex_text);
      if (n->words.n == 0 && n->assigns.n == 0 && n->redirs == NULL && peek() == T_LPAREN) {
        /* function definition: name ( ) linebreak compound-command */
        char *name = w;
        lex_next();
        t = lex_next();
        if (t != T_RPAREN) {
          free(name);
          syntax_expecting(t, ")");
          goto fail;
        }
        skip_newlines();
        struct node *body = parse_command_inner();
        if (body == NULL) {
          free(name);
          goto fail;
        }
        if (body->type == N_CMD || body->type == N_PIPE) {
          free(name);
          node_free(body);
          syntax_unexpected(T_WORD);
          goto fail;
        }
        n->type = N_FUNC;
        n->name = name;
        n->a = body;
        return n;
      }
      strv_add(&n->words, w);
      continue;
    }
    lex_unget();
    break;
  }
  if (n->words.n == 0 && n->assigns.n == 0 && n->redirs == NULL) {
    syntax_unexpected(lex_next());
    goto fail;
  }
  return n;
fail:
  node_free(n);
  return NULL;
}

static struct node *parse_if(void) {
  /* "if" was read */
  struct node *n = node_new(N_IF);
  n->a = parse_list(0);
  if (perr || expect_word("then") < 0) goto fail;
  n->b = parse_list(0);
  if (perr) goto fail;
  int t = lex_next();
  if (is_word(t, "elif")) {
    n->c = parse_if();
    if (n->c == NULL) goto fail;
    return n;
  }
  if (is_word(t, "else")) {
    n->c = parse_list(0);
    if (perr) goto fail;
    t = lex_next();
  }
  if (!is_word(t, "fi")) {
    syntax_expecting(t, "fi");
    goto fail;
  }
  return n;
fail:
  node_free(n);
  return NULL;
}

static struct node *parse_loop(enum node_type type) {
  struct node *n = node_new(type);
  n->a = parse_list(0);
  if (perr || expect_word("do") < 0) goto fail;
  n->b = parse_list(0);
  if (perr || expect_word("done") < 0) goto fail;
  return n;
fail:
  node_free(n);
  return NULL;
}

static struct node *parse_for(void) {
  struct node *n = node_new(N_FOR);
  int t = lex_next();
  if (t != T_WORD || !var_is_name(lex_text, strlen(lex_text))) {
    if (!perr && t != T_ERROR) sh_error("Syntax error: Bad for loop variable");
    perr = 1;
    goto fail;
  }
  n->name = xstrdup(lex_text);
  skip_newlines();
  t = lex_next();
  if (is_word(t, "in")) {
    n->has_in = 1;
    while ((t = lex_next()) == T_WORD) strv_add(&n->list, xstrdup(lex_text));
    if (t != T_SEMI && t != T_NL) {
      syntax_unexpected(t);
      goto fail;
    }
    skip_newlines();
  } else if (t == T_SEMI) {
    skip_newlines();
  } else {
    lex_unget();
  }
  if (expect_word("do") < 0) goto fail;
  n->b = parse_list(0);
  if (perr || expect_word("done") < 0) goto fail;
  return n;
fail:
  node_free(n);
  return NULL;
}

static struct node *parse_case(void) {
  struct node *n = node_new(N_CASE);
  struct case_item **tail = &n->items;
  int t = lex_next();
  if (t != T_WORD) {
    syntax_unexpected(t);
    goto fail;
  }
  n->name = xstrdup(lex_text);
  skip_newlines();
  if (expect_word("in") < 0) goto fail;
  for (;;) {
    skip_newlines();
    t = lex_next();
    if (is_word(t, "esac")) break;
    if (t == T_LPAREN) t = lex_next();
    struct case_item *it = xmalloc(sizeof *it);
    memset(it, 0, sizeof *it);
    *tail = it;
    tail = &it->next;
    for (;;) {
      if (t != T_WORD) {
        syntax_expecting(t, ")");
        goto fail;
      }
      strv_add(&it->pats, xstrdup(lex_text));
      t = lex_next();
      if (t == T_PIPE) {
        t = lex_next();
        continue;
      }
      if (t != T_RPAREN) {
        syntax_unexpected(t);
        goto fail;
      }
      break;
    }
    it->body = parse_list(2);
    if (perr) goto fail;
    t = lex_next();
    if (t == T_DSEMI) continue;
    if (is_word(t, "esac")) break;
    syntax_expecting(t, ";;");
    goto fail;
  }
  return n;
fail:
  node_free(n);
  return NULL;
}

/* A command: simple, compound (with trailing redirections) or function definition. */
static struct node *parse_command_inner(void) {
  int t = lex_next();
  struct node *n = NULL;
  if (t == T_LPAREN) {
    n = node_new(N_SUBSHELL);
    n->a = parse_list(0);
    if (perr) goto fail;
    t = lex_next();
    if (t != T_RPAREN) {
      syntax_expecting(t, ")");
      goto fail;
    }
  } else if (t == T_WORD && strcmp(lex_text, "{") == 0) {
    n = node_new(N_BRACE);
    n->a = parse_list(0);
    if (perr || expect_word("}") < 0) goto fail;
  } else if (is_word(t, "if")) {
    if ((n = parse_if()) == NULL) return NULL;
  } else if (is_word(t, "while")) {
    if ((n = parse_loop(N_WHILE)) == NULL) return NULL;
  } else if (is_word(t, "until")) {
    if ((n = parse_loop(N_UNTIL)) == NULL) return NULL;
  } else if (is_word(t, "for")) {
    if ((n = parse_for()) == NULL) return NULL;
  } else if (is_word(t, "case")) {
    if ((n = parse_case()) == NULL) return NULL;
  } else if (is_closer(t) || t == T_ERROR) {
    syntax_unexpected(t);
    return NULL;
  } else {
    lex_unget();
    return parse_simple();
  }
  if (parse_trailing_redirs(n) < 0) goto fail;
  return n;
fail:
  node_free(n);
  return NULL;
}

static struct node *parse_pipeline(void) {
  int bang = 0;
  int t = lex_next();
  if (is_word(t, "!")) bang = 1;
  else lex_unget();
  struct node *first = parse_command_inner();
  if (first == NULL) return NULL;
  struct node *n = first;
  if (peek() == T_PIPE) {
    n = node_new(N_PIPE);
    n->cmds = xmalloc(sizeof *n->cmds);
    n->cmds[0] = first;
    n->ncmds = 1;
    while (lex_next() == T_PIPE) {
      skip_newlines();
      struct node *c = parse_command_inner();
      if (c == NULL) {
        node_free(n);
        return NULL;
      }
      n->cmds = xrealloc(n->cmds, (size_t)(n->ncmds + 1) * sizeof *n->cmds);
      n->cmds[n->ncmds++] = c;
    }
    lex_unget();
  }
  if (bang) {
    struct node *b = node_new(N_NOT);
    b->a = n;
    n = b;
  }
  return n;
}

static struct node *parse_and_or(void) {
  struct node *n = parse_pipeline();
  if (n == NULL) return NULL;
  for (;;) {
    int t = lex_next();
    if (t != T_AND && t != T_OR) {
      lex_unget();
      return n;
    }
    skip_newlines();
    struct node *r = parse_pipeline();
    if (r == NULL) {
      node_free(n);
      return NULL;
    }
    struct node *p = node_new(t == T_AND ? N_AND : N_OR);
    p->a = n;
    p->b = r;
    n = p;
  }
}

static struct node *seq(struct node *a, struct node *b) {
  if (a == NULL) return b;
  struct node *s = node_new(N_SEQ);
  s->a = a;
  s->b = b;
  return s;
}

/* top: a complete command, ended by a newline (left unread) or EOF; otherwise a compound list
 * (newlines are separators), ended by a closing reserved word, ')', ';;' or EOF, which must not
 * be empty (top == 2: may be empty, for case items and $( )). */
static struct node *parse_list(int top) {
  int allow_empty = top == 2;
  if (top == 2) top = 0;
  struct node *list = NULL;
  if (!top) skip_newlines();
  for (;;) {
    int t = peek();
    if (top && (t == T_NL || t == T_EOF)) break;
    if (!top && is_closer(t)) break;
    struct node *n = parse_and_or();
    if (n == NULL) goto fail;
    t = lex_next();
    if (t == T_AMP) {
      struct node *bg = node_new(N_BG);
      bg->a = n;
      n = bg;
    }
    list = seq(list, n);
    if (t == T_SEMI || t == T_AMP) {
      if (!top) skip_newlines();
      continue;
    }
    if (t == T_NL && !top) {
      skip_newlines();
      continue;
    }
    lex_unget();
    break;
  }
  /* an empty list is an error; at end of file the caller reports what it expected */
  if (list == NULL && !top && !allow_empty && peek() != T_EOF) syntax_unexpected(lex_next());
  return list;
fail:
  node_free(list);
  return NULL;
}

struct node *parse_command(int *eof, int *err) {
  *eof = 0;
  *err = 0;
  perr = 0;
  input_set_prompt(1);
  int t = lex_next();
  if (t == T_EOF) {
    *eof = 1;
    return NULL;
  }
  if (t == T_NL) return NULL;
  lex_unget();
  struct node *n = parse_list(1);
  if (!perr) {
    t = lex_next();
    if (t != T_NL && t != T_EOF) syntax_unexpected(t);
    else if (t == T_EOF) lex_unget();
  }
  if (perr) {
    node_free(n);
    *err = 1;
    lex_reset();
    if (input_interactive()) input_skip_line();
    return NULL;
  }
  return n;
}

int parse_subst_body(void) {
  int save = perr;
  perr = 0;
  struct node *n = parse_list(2);
  if (!perr) {
    int t = lex_next();
    if (t != T_RPAREN) syntax_expecting(t, ")");
  }
  node_free(n);
  int r = perr ? -1 : 0;
  perr = save || perr;
  return r;
}

/* ---- freeing ---- */

static int contains_func(struct node *n) {
  if (n == NULL) return 0;
  if (n->type == N_FUNC) return 1;
  for (int i = 0; i < n->ncmds; i++)
    if (contains_func(n->cmds[i])) return 1;
  for (struct case_item *it = n->items; it; it = it->next)
    if (contains_func(it->body)) return 1;
  return contains_func(n->a) || contains_func(n->b) || contains_func(n->c);
}

static void free_tree(struct node *n) {
  if (n == NULL) return;
  for (struct redir *r = n->redirs, *nx; r; r = nx) {
    nx = r->next;
    free(r->word);
    free(r->heredoc);
    free(r);
  }
  strv_free(&n->assigns);
  strv_free(&n->words);
  strv_free(&n->list);
  for (int i = 0; i < n->ncmds; i++) free_tree(n->cmds[i]);
  free(n->cmds);
  for (struct case_item *it = n->items, *nx; it; it = nx) {
    nx = it->next;
    strv_free(&it->pats);
    free_tree(it->body);
    free(it);
  }
  free_tree(n->a);
  free_tree(n->b);
  free_tree(n->c);
  free(n->name);
  free(n);
}

/* Trees that define functions are kept: the functions point into them. */
void node_free(struct node *n) {
  if (n == NULL || contains_func(n)) return;
  free_tree(n);
}
