/* /bin/sh: internals shared by expand.c and expand2.c. */
#ifndef OCCLUM_SH_EXPAND_H
#define OCCLUM_SH_EXPAND_H

#include "sh.h"

enum { M_QUOTED = 1, M_LIT = 2, M_EXP = 3, M_EMPTY = 4, M_BREAK = 5 };

struct xbuf {
  str_t s; /* characters */
  str_t m; /* one mark per character */
};

void xb_add(struct xbuf *o, char c, char mark);
void xb_adds(struct xbuf *o, const char *s, char mark);
void xb_free(struct xbuf *o);
char *xb_string(struct xbuf *o);
char *xb_pattern(struct xbuf *o);

const char *skip_dquote(const char *p, const char *end);
const char *skip_bquote(const char *p, const char *end);
const char *skip_cmdsubst(const char *p, const char *end);
const char *skip_brace(const char *p, const char *end);
const char *skip_arith(const char *p, const char *end);

char *param_value(const char *name, size_t n);
char *join_args(void);
char *opt_string(void);
void add_args(struct xbuf *o, int dq, int star);

/* Expands raw[p, end) into o; dq: inside double quotes. 0 or -1. */
int expand_raw(struct xbuf *o, const char *p, const char *end, int dq);

#endif
