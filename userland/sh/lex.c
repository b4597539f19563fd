/* /bin/sh: the tokenizer.
 *
 * Words are kept as raw source text (quotes and backslashes included) and expanded later, with
 * one change: the text of a command substitution $( ... ) is found by parsing it (so that `case`
 * patterns and here-documents inside work) and stored between the markers CTL_CS_BEGIN and
 * CTL_CS_END instead of "$(" and ")". deparse() turns the markers back into "$(" and ")". */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

#define CTL_CS_BEGIN '\001'
#define CTL_CS_END '\002'

char *lex_text;
int lex_quoted;
static int pushed;     /* lex_unget() was called */
static int last_tok;
static int lex_error;  /* set while scanning a word: unterminated quote... */
static const char *lex_error_msg;

static struct redir **heredocs;
static int nheredocs, capheredocs;

int parse_subst_body(void); /* parse.c: a list up to ')' */

void lex_reset(void) {
  pushed = 0;
  nheredocs = 0;
}

void lex_unget(void) { pushed = 1; }

/* eval and . parse nested input while the outer parser may hold a pushed-back token. */
int lex_save(void) { return pushed ? last_tok + 1 : 0; }

void lex_restore(int saved) {
  pushed = saved != 0;
  if (pushed) last_tok = saved - 1;
}

void lex_heredoc_add(struct redir *r) {
  if (nheredocs == capheredocs) {
    capheredocs = capheredocs ? capheredocs * 2 : 4;
    heredocs = xrealloc(heredocs, (size_t)capheredocs * sizeof *heredocs);
  }
  heredocs[nheredocs++] = r;
}

int lex_heredoc_pending(void) { return nheredocs; }

/* Next character, skipping backslash-newline pairs (line continuations). */
static int getc_cont(void) {
  for (;;) {
    int c = pgetc();
    if (c != '\\') return c;
    int d = pgetc();
    if (d == '\n') {
      input_set_prompt(2);
      continue;
    }
    pungetc(d);
    return c;
  }
}

static void set_error(const char *msg) {
  if (!lex_error) {
    lex_error = 1;
    lex_error_msg = msg;
  }
}

static void scan_dollar(str_t *b);
static void scan_bquote(str_t *b);

static void scan_squote(str_t *b) {
  str_addc(b, '\'');
  for (;;) {
    int c = pgetc();
    if (c < 0) {
      set_error("Unterminated quoted string");
      return;
    }
    if (c == '\n') input_set_prompt(2);
    str_addc(b, (char)c);
    if (c == '\'') return;
  }
}

static void scan_dquote(str_t *b) {
  str_addc(b, '"');
  for (;;) {
    int c = getc_cont();
    if (c < 0) {
      set_error("Unterminated quoted string");
      return;
    }
    if (c == '\n') input_set_prompt(2);
    if (c == '$') {
      scan_dollar(b);
      continue;
    }
    if (c == '`') {
      scan_bquote(b);
      continue;
    }
    str_addc(b, (char)c);
    if (c == '"') return;
    if (c == '\\') {
      int d = pgetc();
      if (d < 0) continue;
      str_addc(b, (char)d);
    }
  }
}

static void scan_bquote(str_t *b) {
  str_addc(b, '`');
  for (;;) {
    int c = pgetc();
    if (c < 0) {
      set_error("EOF in backquote substitution");
      return;
    }
    if (c == '\n') input_set_prompt(2);
    str_addc(b, (char)c);
    if (c == '`') return;
    if (c == '\\') {
      int d = pgetc();
      if (d >= 0) str_addc(b, (char)d);
    }
  }
}

/* Parses the body of $( ... ) (the "$(" has been read) and appends it between the markers. */
static void scan_cmdsubst(str_t *b) {
  /* The nested parse uses the lexer: save its state. */
  int save_pushed = pushed, save_last = last_tok, save_quoted = lex_quoted;
  char *save_text = lex_text;
  struct redir **save_hd = heredocs;
  int save_n = nheredocs, save_cap = capheredocs;
  heredocs = NULL;
  nheredocs = capheredocs = 0;
  pushed = 0;
  lex_text = NULL;

  str_t rec = {0};
  input_record_start(&rec);
  int r = parse_subst_body();
  input_record_stop();

  free(heredocs);
  free(lex_text);
  heredocs = save_hd;
  nheredocs = save_n;
  capheredocs = save_cap;
  pushed = save_pushed;
  last_tok = save_last;
  lex_quoted = save_quoted;
  lex_text = save_text;

  if (r < 0) {
    set_error(NULL); /* the parser printed the message */
    free(rec.s);
    return;
  }
  /* rec ends with the closing ')' */
  if (rec.len > 0) rec.len--;
  str_addc(b, CTL_CS_BEGIN);
  str_addn(b, rec.s ? rec.s : "", rec.len);
  str_addc(b, CTL_CS_END);
  free(rec.s);
}

static void scan_arith(str_t *b) {
  int depth = 2;
  str_adds(b, "$((");
  for (;;) {
    int c = getc_cont();
    if (c < 0) {
      set_error("Missing '))'");
      return;
    }
    if (c == '\n') input_set_prompt(2);
    if (c == '$') {
      scan_dollar(b);
      continue;
    }
    if (c == '`') {
      scan_bquote(b);
      continue;
    }
    if (c == '\'') {
      scan_squote(b);
      continue;
    }
    if (c == '"') {
      scan_dquote(b);
      continue;
    }
    if (c == '(') depth++;
    if (c == ')') depth--;
    str_addc(b, (char)c);
    if (depth == 0) return;
  }
}

static void scan_brace(str_t *b) {
  str_adds(b, "${");
  for (;;) {
    int c = getc_cont();
    if (c < 0) {
      set_error("Missing '}'");
      return;
    }
    if (c == '\n') input_set_prompt(2);
    switch (c) {
    case '$': scan_dollar(b); continue;
    case '`': scan_bquote(b); continue;
    case '\'': scan_squote(b); continue;
    case '"': scan_dquote(b); continue;
    case '\\': {
      str_addc(b, '\\');
      int d = pgetc();
      if (d >= 0) str_addc(b, (char)d);
      continue;
    }
    default: break;
    }
    str_addc(b, (char)c);
    if (c == '}') return;
  }
}

/* After '$'. */
static void scan_dollar(str_t *b) {
  int c = getc_cont();
  if (c == '(') {
    int d = getc_cont();
    if (d == '(') {
      scan_arith(b);
      return;
    }
    pungetc(d);
    scan_cmdsubst(b);
    return;
  }
  if (c == '{') {
    scan_brace(b);
    return;
  }
  pungetc(c);
  str_addc(b, '$');
}

static int is_meta(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
         c == ')' || c == '<' || c == '>';
}

/* Reads the bodies of pending here-documents (after a newline). */
static void read_heredocs(void) {
  for (int i = 0; i < nheredocs; i++) {
    struct redir *r = heredocs[i];
    str_t body = {0}, line = {0};
    /* the delimiter without quotes */
    str_t delim = {0};
    for (const char *p = r->word; *p; p++) {
      if (*p == '\'' || *p == '"') continue;
      if (*p == '\\' && p[1]) p++;
      str_addc(&delim, *p);
    }
    char *d = str_done(&delim);
    input_set_prompt(2);
    for (;;) {
      int c;
      line.len = 0;
      while ((c = pgetc()) >= 0 && c != '\n') str_addc(&line, (char)c);
      str_addc(&line, '\0');
      line.len--;
      const char *l = line.s;
      if (r->strip_tabs)
        while (*l == '\t') l++;
      if (strcmp(l, d) == 0) break;
      if (c < 0 && line.len == 0) break;
      str_adds(&body, l);
      str_addc(&body, '\n');
      if (c < 0) break;
    }
    free(d);
    free(line.s);
    r->heredoc = str_done(&body);
  }
  nheredocs = 0;
}

int lex_next(void) {
  if (pushed) {
    pushed = 0;
    return last_tok;
  }
  int c;
  for (;;) {
    c = getc_cont();
    if (c == ' ' || c == '\t') continue;
    if (c == '#') {
      while ((c = pgetc()) >= 0 && c != '\n') {
      }
      if (c == '\n') pungetc(c);
      continue;
    }
    break;
  }
  int t;
  switch (c) {
  case -1: t = T_EOF; break;
  case '\n':
    if (nheredocs) read_heredocs();
    input_set_prompt(2);
    t = T_NL;
    break;
  case ';':
    if ((c = pgetc()) == ';') t = T_DSEMI;
    else { pungetc(c); t = T_SEMI; }
    break;
  case '&':
    if ((c = pgetc()) == '&') t = T_AND;
    else { pungetc(c); t = T_AMP; }
    break;
  case '|':
    if ((c = pgetc()) == '|') t = T_OR;
    else { pungetc(c); t = T_PIPE; }
    break;
  case '(': t = T_LPAREN; break;
  case ')': t = T_RPAREN; break;
  case '<':
    c = pgetc();
    if (c == '<') {
      if ((c = pgetc()) == '-') t = T_DLESSDASH;
      else { pungetc(c); t = T_DLESS; }
    } else if (c == '&') t = T_LESSAND;
    else if (c == '>') t = T_LESSGREAT;
    else { pungetc(c); t = T_LESS; }
    break;
  case '>':
    c = pgetc();
    if (c == '>') t = T_DGREAT;
    else if (c == '&') t = T_GREATAND;
    else if (c == '|') t = T_CLOBBER;
    else { pungetc(c); t = T_GREAT; }
    break;
  default: {
    str_t b = {0};
    int all_digits = 1;
    lex_error = 0;
    lex_quoted = 0;
    pungetc(c);
    for (;;) {
      c = getc_cont();
      if (c < 0) break;
      if (is_meta(c)) {
        pungetc(c);
        break;
      }
      if (c < '0' || c > '9') all_digits = 0;
      if (c == '\\') {
        lex_quoted = 1;
        str_addc(&b, '\\');
        int d = pgetc();
        if (d >= 0) str_addc(&b, (char)d);
      } else if (c == '\'') {
        lex_quoted = 1;
        scan_squote(&b);
      } else if (c == '"') {
        lex_quoted = 1;
        scan_dquote(&b);
      } else if (c == '$') {
        scan_dollar(&b);
      } else if (c == '`') {
        scan_bquote(&b);
      } else {
        str_addc(&b, (char)c);
      }
      if (lex_error) break;
    }
    free(lex_text);
    lex_text = str_done(&b);
    if (lex_error) {
      if (lex_error_msg) sh_error("Syntax error: %s", lex_error_msg);
      t = T_ERROR;
      break;
    }
    t = T_WORD;
    if (all_digits) {
      c = pgetc();
      pungetc(c);
      if (c == '<' || c == '>') t = T_IONUM;
    }
    break;
  }
  }
  last_tok = t;
  return t;
}

const char *tok_name(int t) {
  switch (t) {
  case T_EOF: return "end of file";
  case T_NL: return "newline";
  case T_WORD: return lex_text ? lex_text : "word";
  case T_IONUM: return lex_text ? lex_text : "number";
  case T_SEMI: return ";";
  case T_DSEMI: return ";;";
  case T_AMP: return "&";
  case T_AND: return "&&";
  case T_OR: return "||";
  case T_PIPE: return "|";
  case T_LPAREN: return "(";
  case T_RPAREN: return ")";
  case T_LESS: return "<";
  case T_GREAT: return ">";
  case T_DGREAT: return ">>";
  case T_LESSAND: return "<&";
  case T_GREATAND: return ">&";
  case T_LESSGREAT: return "<>";
  case T_DLESS: return "<<";
  case T_DLESSDASH: return "<<-";
  case T_CLOBBER: return ">|";
  default: return "?";
  }
}

long lex_cmdsubst_in_string(const char *s, char **text) {
  str_t b = {0};
  int save_err = lex_error;
  const char *save_msg = lex_error_msg;
  lex_error = 0;
  input_push_string(s);
  scan_cmdsubst(&b);
  long consumed = (long)input_string_pos();
  input_pop();
  int bad = lex_error;
  lex_error = save_err;
  lex_error_msg = save_msg;
  if (bad) {
    free(b.s);
    *text = NULL;
    return -1;
  }
  /* b = CTL_CS_BEGIN text CTL_CS_END */
  *text = xstrndup(b.s + 1, b.len - 2);
  free(b.s);
  return consumed;
}
