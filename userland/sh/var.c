/* /bin/sh: shell variables, positional parameters, functions, and the state passed to child
 * shells (which stand in for fork()ed subshells). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

struct var {
  struct var *next;
  char *name;
  char *value; /* NULL: declared (export X) but unset */
  int flags;
};

#define NBUCKETS 256
static struct var *table[NBUCKETS];

static unsigned hash(const char *s, size_t n) {
  unsigned h = 5381;
  for (size_t i = 0; i < n; i++) h = h * 33 + (unsigned char)s[i];
  return h % NBUCKETS;
}

static struct var *lookup(const char *name, size_t n, int create) {
  unsigned h = hash(name, n);
  for (struct var *v = table[h]; v; v = v->next)
    if (strlen(v->name) == n && memcmp(v->name, name, n) == 0) return v;
  if (!create) return NULL;
  struct var *v = xmalloc(sizeof *v);
  v->name = xstrndup(name, n);
  v->value = NULL;
  v->flags = 0;
  v->next = table[h];
  table[h] = v;
  return v;
}

int var_is_name(const char *s, size_t n) {
  if (n == 0) return 0;
  if (!(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0;
  for (size_t i = 1; i < n; i++) {
    char c = s[i];
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return 0;
  }
  return 1;
}

const char *var_get(const char *name) {
  struct var *v = lookup(name, strlen(name), 0);
  return v ? v->value : NULL;
}

int var_set(const char *name, const char *value, int flags) {
  struct var *v = lookup(name, strlen(name), 1);
  if (v->flags & V_READONLY) {
    sh_error("%s: is read only", name);
    return -1;
  }
  char *nv = value ? xstrdup(value) : NULL;
  free(v->value);
  v->value = nv;
  v->flags |= flags;
  return 0;
}

int var_unset(const char *name) {
  unsigned h = hash(name, strlen(name));
  for (struct var **pp = &table[h]; *pp; pp = &(*pp)->next) {
    struct var *v = *pp;
    if (strcmp(v->name, name) != 0) continue;
    if (v->flags & V_READONLY) {
      sh_error("%s: is read only", name);
      return -1;
    }
    *pp = v->next;
    free(v->name);
    free(v->value);
    free(v);
    return 0;
  }
  return 0;
}

int var_is_readonly(const char *name) {
  struct var *v = lookup(name, strlen(name), 0);
  return v != NULL && (v->flags & V_READONLY);
}

void var_export(const char *name) { lookup(name, strlen(name), 1)->flags |= V_EXPORT; }

void var_import_environ(char **envp) {
  for (; envp && *envp; envp++) {
    const char *eq = strchr(*envp, '=');
    if (eq == NULL || !var_is_name(*envp, (size_t)(eq - *envp))) continue;
    struct var *v = lookup(*envp, (size_t)(eq - *envp), 1);
    free(v->value);
    v->value = xstrdup(eq + 1);
    v->flags |= V_EXPORT;
  }
}

char **var_environ(strv_t *extra) {
  strv_t out = {0};
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = table[i]; v; v = v->next) {
      if (!(v->flags & V_EXPORT) || v->value == NULL) continue;
      int overridden = 0;
      for (int j = 0; extra && j < extra->n; j++) {
        const char *e = extra->v[j];
        size_t n = strlen(v->name);
        if (strncmp(e, v->name, n) == 0 && e[n] == '=') overridden = 1;
      }
      if (overridden) continue;
      size_t n = strlen(v->name) + strlen(v->value) + 2;
      char *s = xmalloc(n);
      snprintf(s, n, "%s=%s", v->name, v->value);
      strv_add(&out, s);
    }
  for (int j = 0; extra && j < extra->n; j++) strv_add(&out, xstrdup(extra->v[j]));
  return strv_nullterm(&out);
}

static int cmp_var(const void *a, const void *b) {
  return strcmp((*(struct var *const *)a)->name, (*(struct var *const *)b)->name);
}

/* Single-quotes s for re-input. */
static void quote(str_t *o, const char *s) {
  str_addc(o, '\'');
  for (; *s; s++) {
    if (*s == '\'') str_adds(o, "'\\''");
    else str_addc(o, *s);
  }
  str_addc(o, '\'');
}

void var_print(int exported_only, int as_export) {
  struct var **all = NULL;
  int n = 0;
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = table[i]; v; v = v->next) {
      if (exported_only == 1 && !(v->flags & V_EXPORT)) continue;
      if (exported_only == 2 && !(v->flags & V_READONLY)) continue;
      all = xrealloc(all, (size_t)(n + 1) * sizeof *all);
      all[n++] = v;
    }
  if (n > 1) qsort(all, (size_t)n, sizeof *all, cmp_var);
  str_t o = {0};
  for (int i = 0; i < n; i++) {
    if (as_export) str_adds(&o, as_export == 2 ? "readonly " : "export ");
    str_adds(&o, all[i]->name);
    if (all[i]->value) {
      str_addc(&o, '=');
      quote(&o, all[i]->value);
    }
    str_addc(&o, '\n');
  }
  if (o.len) write_all(1, o.s, o.len);
  free(o.s);
  free(all);
}

/* ---- temporary assignments ---- */

struct var_save {
  struct var_save *next;
  char *name;
  char *value;
  int flags;
  int existed;
};

void var_save_push(struct var_save **list, const char *name) {
  struct var_save *s = xmalloc(sizeof *s);
  struct var *v = lookup(name, strlen(name), 0);
  s->name = xstrdup(name);
  s->existed = v != NULL;
  s->value = v && v->value ? xstrdup(v->value) : NULL;
  s->flags = v ? v->flags : 0;
  s->next = *list;
  *list = s;
}

int var_save_has(struct var_save *s, const char *name) {
  for (; s; s = s->next)
    if (strcmp(s->name, name) == 0) return 1;
  return 0;
}

void var_save_restore(struct var_save *s) {
  while (s) {
    struct var_save *nx = s->next;
    if (s->existed) {
      struct var *v = lookup(s->name, strlen(s->name), 1);
      free(v->value);
      v->value = s->value;
      v->flags = s->flags;
    } else {
      var_unset(s->name);
      free(s->value);
    }
    free(s->name);
    free(s);
    s = nx;
  }
}

/* ---- positional parameters ---- */

char *sh_arg0;
char **sh_argv;
int sh_argc;

void pos_set(char **argv, int argc) {
  char **nv = xmalloc((size_t)(argc + 1) * sizeof *nv);
  for (int i = 0; i < argc; i++) nv[i] = xstrdup(argv[i]);
  nv[argc] = NULL;
  for (int i = 0; i < sh_argc; i++) free(sh_argv[i]);
  free(sh_argv);
  sh_argv = nv;
  sh_argc = argc;
}

/* ---- functions ---- */

struct func {
  struct func *next;
  char *name;
  struct node *body;
};
static struct func *funcs;

struct node *func_get(const char *name) {
  for (struct func *f = funcs; f; f = f->next)
    if (strcmp(f->name, name) == 0) return f->body;
  return NULL;
}

void func_set(const char *name, struct node *body) {
  for (struct func *f = funcs; f; f = f->next)
    if (strcmp(f->name, name) == 0) {
      f->body = body;
      return;
    }
  struct func *f = xmalloc(sizeof *f);
  f->name = xstrdup(name);
  f->body = body;
  f->next = funcs;
  funcs = f;
}

void func_unset(const char *name) {
  for (struct func **pp = &funcs; *pp; pp = &(*pp)->next)
    if (strcmp((*pp)->name, name) == 0) {
      struct func *f = *pp;
      *pp = f->next;
      free(f->name);
      free(f);
      return;
    }
}

/* ---- state for child shells ----
 * Lines "<kind><payload>", payload with '\\' and '\n' escaped: v NAME=VALUE (unexported variable),
 * r NAME (read-only), f TEXT (function definition), s STATUS, b LASTBG, p PID, 0 ARG0, a ARG (each positional
 * parameter), o OPTIONS. Exported variables travel in the environment itself. */

static void put(str_t *o, char kind, const char *s) {
  str_addc(o, kind);
  for (; *s; s++) {
    if (*s == '\\') str_adds(o, "\\\\");
    else if (*s == '\n') str_adds(o, "\\n");
    else str_addc(o, *s);
  }
  str_addc(o, '\n');
}

char *state_serialize(void) {
  str_t o = {0};
  char buf[64];
  put(&o, 'S', sh.self); /* first: main() reads it before the rest */
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = table[i]; v; v = v->next) {
      if ((v->flags & V_EXPORT) || v->value == NULL) continue;
      str_t kv = {0};
      str_adds(&kv, v->name);
      str_addc(&kv, '=');
      str_adds(&kv, v->value);
      char *s = str_done(&kv);
      put(&o, 'v', s);
      free(s);
    }
  for (int i = 0; i < NBUCKETS; i++)
    for (struct var *v = table[i]; v; v = v->next)
      if (v->flags & V_READONLY) put(&o, 'r', v->name);
  for (struct func *f = funcs; f; f = f->next) {
    str_t t = {0};
    str_adds(&t, f->name);
    str_adds(&t, "() ");
    deparse(f->body, &t);
    char *s = str_done(&t);
    put(&o, 'f', s);
    free(s);
  }
  snprintf(buf, sizeof buf, "%d", sh.status);
  put(&o, 's', buf);
  snprintf(buf, sizeof buf, "%d", (int)sh.last_bg);
  put(&o, 'b', buf);
  snprintf(buf, sizeof buf, "%d", (int)sh.pid);
  put(&o, 'p', buf);
  put(&o, '0', sh_arg0 ? sh_arg0 : "sh");
  for (int i = 0; i < sh_argc; i++) put(&o, 'a', sh_argv[i]);
  char *opts = buf;
  if (sh.opt_e) *opts++ = 'e';
  if (sh.opt_u) *opts++ = 'u';
  if (sh.opt_x) *opts++ = 'x';
  if (sh.opt_f) *opts++ = 'f';
  *opts = '\0';
  put(&o, 'o', buf);
  return str_done(&o);
}

void state_restore(const char *s) {
  strv_t args = {0};
  while (*s) {
    char kind = *s++;
    str_t val = {0};
    while (*s && *s != '\n') {
      if (*s == '\\' && s[1] == 'n') {
        str_addc(&val, '\n');
        s += 2;
      } else if (*s == '\\' && s[1] == '\\') {
        str_addc(&val, '\\');
        s += 2;
      } else {
        str_addc(&val, *s++);
      }
    }
    if (*s == '\n') s++;
    char *v = str_done(&val);
    switch (kind) {
    case 'v': {
      char *eq = strchr(v, '=');
      if (eq) {
        *eq = '\0';
        var_set(v, eq + 1, 0);
      }
      break;
    }
    case 'f': eval_string(v); break;
    case 'r': lookup(v, strlen(v), 1)->flags |= V_READONLY; break;
    case 's': sh.status = atoi(v); break;
    case 'b': sh.last_bg = atoi(v); break;
    case 'p': sh.pid = atoi(v); break;
    case '0':
      free(sh_arg0);
      sh_arg0 = xstrdup(v);
      break;
    case 'a': strv_add(&args, xstrdup(v)); break;
    case 'o':
      for (const char *p = v; *p; p++) {
        if (*p == 'e') sh.opt_e = 1;
        if (*p == 'u') sh.opt_u = 1;
        if (*p == 'x') sh.opt_x = 1;
        if (*p == 'f') sh.opt_f = 1;
      }
      break;
    }
    free(v);
  }
  pos_set(args.v, args.n);
  strv_free(&args);
}
