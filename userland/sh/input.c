/* /bin/sh: input sources (a string for -c/eval/command substitution, or a file descriptor for
 * scripts, stdin and interactive use), with a few characters of push-back and prompts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

struct input {
  struct input *prev;
  const char *str; /* string source (not owned) */
  size_t pos;
  int fd;          /* fd source, or -1 */
  int interactive;
  char buf[4096];
  size_t blen, bpos;
  int eof;
  int back[8]; /* push-back stack */
  int nback;
  int lineno;
  int at_line_start;
};

static struct input *cur;
static int prompt_kind; /* 0 none, 1 PS1, 2 PS2 */

/* Recorders: every character pgetc returns is appended to each active recorder (the text of a
 * $( ... ) is recorded while it is parsed). */
#define MAX_REC 32
static str_t *recs[MAX_REC];
static int nrec;

void input_record_start(str_t *b) {
  if (nrec < MAX_REC) recs[nrec] = b;
  nrec++;
}

void input_record_stop(void) {
  if (nrec > 0) nrec--;
}

void input_push_string(const char *s) {
  struct input *in = xmalloc(sizeof *in);
  memset(in, 0, sizeof *in);
  in->prev = cur;
  in->str = s;
  in->fd = -1;
  in->lineno = 1;
  in->at_line_start = 1;
  cur = in;
}

void input_push_fd(int fd, int interactive) {
  struct input *in = xmalloc(sizeof *in);
  memset(in, 0, sizeof *in);
  in->prev = cur;
  in->fd = fd;
  in->interactive = interactive;
  in->lineno = 1;
  in->at_line_start = 1;
  cur = in;
}

void input_pop(void) {
  struct input *in = cur;
  if (in == NULL) return;
  cur = in->prev;
  free(in);
}

size_t input_string_pos(void) {
  if (cur == NULL || cur->fd >= 0) return 0;
  return cur->pos - (size_t)cur->nback;
}

int input_interactive(void) { return cur != NULL && cur->interactive; }
void input_set_prompt(int which) { prompt_kind = which; }
int input_lineno(void) { return cur ? cur->lineno : 0; }

static void show_prompt(void) {
  const char *p;
  if (prompt_kind == 0) return;
  if (prompt_kind == 1) {
    p = var_get("PS1");
    if (p == NULL) p = "$ ";
  } else {
    p = var_get("PS2");
    if (p == NULL) p = "> ";
  }
  write_all(2, p, strlen(p));
  prompt_kind = 2; /* further lines of the same command are continuations */
}

static int fill(struct input *in) {
  if (in->eof) return 0;
  if (in->interactive) show_prompt();
  for (;;) {
    ssize_t n;
    if (in->interactive) {
      /* a line at a time, so that commands run as soon as they are typed */
      size_t k = 0;
      while (k < sizeof in->buf) {
        n = read(in->fd, in->buf + k, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        k++;
        if (in->buf[k - 1] == '\n') break;
      }
      n = (ssize_t)k;
    } else {
      n = read(in->fd, in->buf, sizeof in->buf);
      if (n < 0 && errno == EINTR) continue;
    }
    if (n <= 0) {
      in->eof = 1;
      return 0;
    }
    in->blen = (size_t)n;
    in->bpos = 0;
    return 1;
  }
}

int pgetc(void) {
  struct input *in = cur;
  int c;
  if (in == NULL) return -1;
  if (in->nback > 0) {
    c = in->back[--in->nback];
  } else if (in->fd < 0) {
    if (in->str[in->pos] == '\0') return -1;
    c = (unsigned char)in->str[in->pos++];
  } else {
    if (in->bpos >= in->blen && !fill(in)) return -1;
    c = (unsigned char)in->buf[in->bpos++];
  }
  in->at_line_start = (c == '\n');
  if (c == '\n') in->lineno++;
  for (int i = 0; i < nrec && i < MAX_REC; i++) str_addc(recs[i], (char)c);
  return c;
}

void pungetc(int c) {
  if (c < 0 || cur == NULL) return;
  if (cur->nback < (int)(sizeof cur->back / sizeof cur->back[0])) cur->back[cur->nback++] = c;
  if (c == '\n') cur->lineno--;
  cur->at_line_start = 0;
  for (int i = 0; i < nrec && i < MAX_REC; i++)
    if (recs[i]->len > 0) recs[i]->s[--recs[i]->len] = '\0';
}

void input_skip_line(void) {
  int c;
  if (cur == NULL) return;
  if (cur->at_line_start && cur->nback == 0) return;
  while ((c = pgetc()) >= 0 && c != '\n') {
  }
}
