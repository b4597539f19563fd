/* /bin/sh: builtins that run inside the shell process (test and printf are in builtins2.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"
#include "shspawn.h"

int bi_test(int argc, char **argv);   /* builtins2.c */
int bi_printf(int argc, char **argv); /* builtins2.c */

static void out(const char *s, size_t n) {
  if (write_all(1, s, n) < 0 && errno != EPIPE) sh_error("write error: %s", strerror(errno));
}

static void outs(const char *s) { out(s, strlen(s)); }

/* A non-negative decimal number, or -1. */
static long number(const char *s) {
  if (*s == '\0') return -1;
  long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
    if (v > INT_MAX) return -1;
  }
  return v;
}

static int bi_true(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static int bi_false(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return 1;
}

/* echo [-n] args: like dash, backslash escapes are always interpreted (\c stops output). */
static int bi_echo(int argc, char **argv) {
  int i = 1, nl = 1;
  if (argc > 1 && strcmp(argv[1], "-n") == 0) {
    nl = 0;
    i = 2;
  }
  str_t b = {0};
  for (; i < argc; i++) {
    for (const char *p = argv[i]; *p; p++) {
      if (*p != '\\' || p[1] == '\0') {
        str_addc(&b, *p);
        continue;
      }
      p++;
      switch (*p) {
      case 'a': str_addc(&b, '\a'); break;
      case 'b': str_addc(&b, '\b'); break;
      case 'c': goto done;
      case 'e': str_addc(&b, 27); break;
      case 'f': str_addc(&b, '\f'); break;
      case 'n': str_addc(&b, '\n'); break;
      case 'r': str_addc(&b, '\r'); break;
      case 't': str_addc(&b, '\t'); break;
      case 'v': str_addc(&b, '\v'); break;
      case '\\': str_addc(&b, '\\'); break;
      case '0': {
        int v = 0, k = 0;
        while (k < 3 && p[1] >= '0' && p[1] <= '7') {
          v = v * 8 + (p[1] - '0');
          p++;
          k++;
        }
        str_addc(&b, (char)v);
        break;
      }
      default:
        str_addc(&b, '\\');
        str_addc(&b, *p);
        break;
      }
    }
    if (i < argc - 1) str_addc(&b, ' ');
  }
  if (nl) str_addc(&b, '\n');
done:
  if (b.len) out(b.s, b.len);
  free(b.s);
  return 0;
}

static int bi_pwd(int argc, char **argv) {
  (void)argc;
  (void)argv;
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == NULL) {
    sh_error("pwd: %s", strerror(errno));
    return 1;
  }
  str_t b = {0};
  str_adds(&b, buf);
  str_addc(&b, '\n');
  out(b.s, b.len);
  free(b.s);
  return 0;
}

static int bi_cd(int argc, char **argv) {
  const char *dir;
  int print = 0;
  int i = 1;
  if (i < argc && (strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "-P") == 0)) i++;
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  if (i >= argc) {
    dir = var_get("HOME");
    if (dir == NULL || *dir == '\0') dir = "/";
  } else if (strcmp(argv[i], "-") == 0) {
    dir = var_get("OLDPWD");
    if (dir == NULL) {
      sh_error("cd: OLDPWD not set");
      return 1;
    }
    print = 1;
  } else {
    dir = argv[i];
  }
  char old[PATH_MAX];
  if (getcwd(old, sizeof old) == NULL) old[0] = '\0';
  char *d = xstrdup(dir);
  if (chdir(d) != 0) {
    sh_error("cd: can't cd to %s", d);
    free(d);
    return 2;
  }
  free(d);
  char now[PATH_MAX];
  if (getcwd(now, sizeof now) != NULL) {
    if (old[0]) var_set("OLDPWD", old, 0);
    var_set("PWD", now, 0);
    if (print) {
      outs(now);
      outs("\n");
    }
  }
  return 0;
}

static int bi_exit(int argc, char **argv) {
  int s = sh.status;
  if (argc > 1) {
    long v = number(argv[1]);
    if (v < 0) {
      sh_error("exit: Illegal number: %s", argv[1]);
      s = 2;
    } else {
      s = (int)(v & 0xff);
    }
  }
  sh_exit(s);
  return s;
}

static int bi_export(int argc, char **argv) {
  int readonly = strcmp(argv[0], "readonly") == 0;
  int i = 1;
  if (i < argc && strcmp(argv[i], "-p") == 0) i++;
  if (i >= argc) {
    var_print(1 + readonly, readonly ? 2 : 1);
    return 0;
  }
  int rc = 0;
  for (; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
    if (!var_is_name(argv[i], n)) {
      sh_error("%s: %s: bad variable name", argv[0], argv[i]);
      if (!sh.interactive) sh_exit(2);
      rc = 2;
      continue;
    }
    char *name = xstrndup(argv[i], n);
    int flag = readonly ? V_READONLY : V_EXPORT;
    if (eq) {
      if (var_set(name, eq + 1, flag) < 0) rc = 1;
    } else {
      const char *v = var_get(name);
      char *copy = v ? xstrdup(v) : NULL;
      if (readonly) var_set(name, copy ? copy : "", flag);
      else var_export(name);
      free(copy);
    }
    free(name);
  }
  return rc;
}

/* local name[=value]...: restored when the function returns (dash: keeps the current value). */
static int bi_local(int argc, char **argv) {
  if (func_locals == NULL) {
    sh_error("local: not in a function");
    if (!sh.interactive) sh_exit(2);
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
    char *name = xstrndup(argv[i], n);
    if (!var_is_name(name, n)) {
      sh_error("local: %s: bad variable name", argv[i]);
      free(name);
      rc = 2;
      continue;
    }
    if (!var_save_has(*func_locals, name)) var_save_push(func_locals, name);
    if (eq && var_set(name, eq + 1, 0) < 0) rc = 1;
    free(name);
  }
  return rc;
}

static int bi_unset(int argc, char **argv) {
  int funcs = 0, i = 1, rc = 0;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-f") == 0) funcs = 1;
    else if (strcmp(argv[i], "-v") == 0) funcs = 0;
    else if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
  }
  for (; i < argc; i++) {
    if (funcs) {
      func_unset(argv[i]);
    } else if (var_is_readonly(argv[i])) {
      sh_error("unset: %s: is read only", argv[i]);
      if (!sh.interactive) sh_exit(2);
      rc = 2;
    } else {
      var_unset(argv[i]);
    }
  }
  return rc;
}

static int set_option(char c, int on) {
  switch (c) {
  case 'e': sh.opt_e = on; return 0;
  case 'u': sh.opt_u = on; return 0;
  case 'x': sh.opt_x = on; return 0;
  case 'f': sh.opt_f = on; return 0;
  case 'n': sh.opt_n = on; return 0;
  case 'v': sh.opt_v = on; return 0;
  case 'C': case 'a': case 'b': case 'm': case 'h': return 0; /* accepted, no effect */
  default: return -1;
  }
}

static const struct {
  const char *name;
  char c;
} long_opts[] = {{"errexit", 'e'}, {"nounset", 'u'}, {"xtrace", 'x'}, {"noglob", 'f'},
                 {"noexec", 'n'}, {"verbose", 'v'}, {"noclobber", 'C'}, {"allexport", 'a'},
                 {"monitor", 'm'}, {NULL, 0}};

static int option_value(char c) {
  switch (c) {
  case 'e': return sh.opt_e;
  case 'u': return sh.opt_u;
  case 'x': return sh.opt_x;
  case 'f': return sh.opt_f;
  case 'n': return sh.opt_n;
  case 'v': return sh.opt_v;
  default: return 0;
  }
}

/* set -o: a table; set +o: commands that restore the settings. */
static void print_options(int table) {
  str_t b = {0};
  if (table) str_adds(&b, "Current option settings\n");
  for (int k = 0; long_opts[k].name; k++) {
    char line[64];
    int on = option_value(long_opts[k].c);
    if (table) snprintf(line, sizeof line, "%-16s%s\n", long_opts[k].name, on ? "on" : "off");
    else snprintf(line, sizeof line, "set %co %s\n", on ? '-' : '+', long_opts[k].name);
    str_adds(&b, line);
  }
  out(b.s, b.len);
  free(b.s);
}

int sh_set_options(int argc, char **argv, int *consumed) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      *consumed = i;
      return 1; /* positional parameters follow (possibly none) */
    }
    if ((a[0] != '-' && a[0] != '+') || a[1] == '\0') break;
    int on = a[0] == '-';
    if (a[1] == 'o') {
      const char *name = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (name == NULL) {
        print_options(on);
        continue;
      }
      int found = 0;
      for (int k = 0; long_opts[k].name; k++)
        if (strcmp(long_opts[k].name, name) == 0) {
          set_option(long_opts[k].c, on);
          found = 1;
        }
      if (!found) {
        sh_error("set: Illegal option -o %s", name);
        return -1;
      }
      continue;
    }
    for (const char *p = a + 1; *p; p++)
      if (set_option(*p, on) < 0) {
        sh_error("set: Illegal option %c%c", a[0], *p);
        return -1;
      }
  }
  *consumed = i;
  return i < argc;
}

static int bi_set(int argc, char **argv) {
  if (argc == 1) {
    var_print(0, 0);
    return 0;
  }
  int consumed;
  int r = sh_set_options(argc, argv, &consumed);
  if (r < 0) {
    if (!sh.interactive) sh_exit(2);
    return 2;
  }
  if (r > 0) pos_set(argv + consumed, argc - consumed);
  return 0;
}

static int bi_shift(int argc, char **argv) {
  long n = 1;
  if (argc > 1 && (n = number(argv[1])) < 0) {
    sh_error("shift: Illegal number: %s", argv[1]);
    return 2;
  }
  if (n > sh_argc) {
    sh_error("shift: can't shift that many");
    if (!sh.interactive) sh_exit(2);
    return 2;
  }
  pos_set(sh_argv + n, sh_argc - (int)n);
  return 0;
}

static int bi_eval(int argc, char **argv) {
  str_t b = {0};
  for (int i = 1; i < argc; i++) {
    if (i > 1) str_addc(&b, ' ');
    str_adds(&b, argv[i]);
  }
  char *s = str_done(&b);
  sh.status = 0;
  int r = eval_string(s);
  free(s);
  return r;
}

static int bi_dot(int argc, char **argv) {
  if (argc < 2) {
    sh_error("%s: filename argument required", argv[0]);
    return 2;
  }
  char *path = NULL;
  if (strchr(argv[1], '/')) {
    path = xstrdup(argv[1]);
  } else {
    const char *p = var_get("PATH");
    if (p == NULL) p = "/bin:/usr/bin";
    for (;;) {
      const char *colon = strchr(p, ':');
      size_t n = colon ? (size_t)(colon - p) : strlen(p);
      str_t b = {0};
      if (n) str_addn(&b, p, n);
      else str_addc(&b, '.');
      str_addc(&b, '/');
      str_adds(&b, argv[1]);
      char *cand = str_done(&b);
      struct stat st;
      if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
        path = cand;
        break;
      }
      free(cand);
      if (!colon) break;
      p = colon + 1;
    }
    if (path == NULL) path = xstrdup(argv[1]);
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    sh_error("%s: cannot open %s: %s", argv[0], argv[1], strerror(errno));
    free(path);
    if (!sh.interactive) sh_exit(2);
    return 2;
  }
  free(path);
  str_t text = {0};
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) str_addn(&text, buf, (size_t)n);
  close(fd);
  char *s = str_done(&text);
  char **old_argv = NULL;
  int old_argc = 0;
  if (argc > 2) {
    old_argv = sh_argv;
    old_argc = sh_argc;
    sh_argv = NULL;
    sh_argc = 0;
    pos_set(argv + 2, argc - 2);
  }
  sh.status = 0;
  sh.func_depth++; /* `return` leaves the file */
  int r = eval_string(s);
  sh.func_depth--;
  if (sh.skip == SKIP_RETURN) {
    sh.skip = SKIP_NONE;
    r = sh.status;
  }
  if (argc > 2) {
    pos_set(NULL, 0);
    free(sh_argv);
    sh_argv = old_argv;
    sh_argc = old_argc;
  }
  free(s);
  return r;
}

static int bi_return(int argc, char **argv) {
  int s = sh.status;
  if (argc > 1) {
    long v = number(argv[1]);
    if (v < 0) {
      sh_error("return: Illegal number: %s", argv[1]);
      return 2;
    }
    s = (int)(v & 0xff);
  }
  if (sh.func_depth == 0) return s;
  sh.skip = SKIP_RETURN;
  return s;
}

static int bi_break(int argc, char **argv) {
  long n = 1;
  if (argc > 1 && (n = number(argv[1])) <= 0) {
    sh_error("%s: Illegal number: %s", argv[0], argv[1]);
    return 2;
  }
  if (sh.loop_depth == 0) return 0;
  if (n > sh.loop_depth) n = sh.loop_depth;
  sh.skip = strcmp(argv[0], "break") == 0 ? SKIP_BREAK : SKIP_CONT;
  sh.skip_count = (int)n;
  return 0;
}

static int bi_wait(int argc, char **argv) {
  if (argc < 2) {
    return job_wait_all();
  }
  int s = 0;
  for (int i = 1; i < argc; i++) {
    long pid = number(argv[i]);
    if (pid <= 0) {
      sh_error("wait: Illegal number: %s", argv[i]);
      return 2;
    }
    int found;
    s = job_wait((pid_t)pid, &found);
    if (!found) s = 127;
  }
  return s;
}

static int bi_kill(int argc, char **argv) {
  int sig = SIGTERM, i = 1;
  if (i < argc && strcmp(argv[i], "-l") == 0) {
    if (i + 1 < argc) {
      long n = number(argv[i + 1]);
      if (n > 128) n -= 128;
      const char *name = n > 0 ? sig_name((int)n) : NULL;
      if (name == NULL) {
        sh_error("kill: invalid signal number or exit status: %s", argv[i + 1]);
        return 2;
      }
      outs(name);
      outs("\n");
      return 0;
    }
    for (int k = 1; k < 32; k++) {
      const char *name = sig_name(k);
      if (name) {
        outs(name);
        outs("\n");
      }
    }
    return 0;
  }
  if (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
    sig = sig_num(argv[i + 1]);
    if (sig < 0) {
      sh_error("kill: invalid signal number or name: %s", argv[i + 1]);
      return 2;
    }
    i += 2;
  } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
    const char *s = argv[i] + 1;
    if (s[0] == 'n' && s[1] == '\0' && i + 1 < argc) s = argv[++i];
    sig = sig_num(s);
    if (sig < 0) {
      sh_error("kill: invalid signal number or name: %s", s);
      return 2;
    }
    i++;
  }
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  if (i >= argc) {
    sh_error("kill: usage: kill [-s sigspec | -signum | -sigspec] pid ...");
    return 2;
  }
  int rc = 0;
  for (; i < argc; i++) {
    char *end;
    long pid = strtol(argv[i], &end, 10);
    if (*argv[i] == '\0' || *end != '\0') {
      sh_error("kill: Illegal number: %s", argv[i]);
      rc = 2;
      continue;
    }
    if (kill((pid_t)pid, sig) != 0) {
      sh_error("kill: %s: %s", argv[i], strerror(errno));
      rc = 1;
    }
  }
  return rc;
}

/* read [-r] [name...]: one line from fd 0, byte by byte (the rest stays for others). */
static int bi_read(int argc, char **argv) {
  int raw = 0, i = 1;
  const char *prompt = NULL;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "-r") == 0) raw = 1;
    else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) prompt = argv[++i];
    else {
      sh_error("read: Illegal option %s", argv[i]);
      return 2;
    }
  }
  if (prompt && isatty(0)) write_all(2, prompt, strlen(prompt));
  /* characters, with a flag for "escaped" (not a separator) */
  str_t line = {0}, esc = {0};
  int got_eof = 0;
  for (;;) {
    char c;
    ssize_t n = read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      got_eof = 1;
      break;
    }
    if (c == '\n') break;
    if (c == '\\' && !raw) {
      n = read(0, &c, 1);
      if (n <= 0) {
        got_eof = 1;
        break;
      }
      if (c == '\n') continue; /* line continuation */
      str_addc(&line, c);
      str_addc(&esc, 1);
      continue;
    }
    str_addc(&line, c);
    str_addc(&esc, 0);
  }
  const char *ifs = var_get("IFS");
  if (ifs == NULL) ifs = " \t\n";
  int nvars = argc - i;
  const char *def[] = {"REPLY"};
  char **names = nvars > 0 ? argv + i : (char **)def;
  if (nvars == 0) nvars = 1;
  size_t pos = 0, len = line.len;
#define ISWS(k) (!esc.s[k] && strchr(ifs, line.s[k]) && (line.s[k] == ' ' || line.s[k] == '\t' || line.s[k] == '\n'))
#define ISIFS(k) (!esc.s[k] && line.s[k] && strchr(ifs, line.s[k]))
  while (pos < len && ISWS(pos)) pos++;
  for (int v = 0; v < nvars; v++) {
    str_t val = {0};
    if (v == nvars - 1) {
      /* the rest, without trailing IFS whitespace */
      size_t end = len;
      while (end > pos && ISWS(end - 1)) end--;
      str_addn(&val, line.s ? line.s + pos : "", end - pos);
      pos = len;
    } else {
      while (pos < len && !ISIFS(pos)) str_addc(&val, line.s[pos++]);
      /* skip whitespace, one non-whitespace separator, whitespace */
      while (pos < len && ISWS(pos)) pos++;
      if (pos < len && ISIFS(pos) && !ISWS(pos)) pos++;
      while (pos < len && ISWS(pos)) pos++;
    }
    char *s = str_done(&val);
    var_set(names[v], s, 0);
    free(s);
  }
#undef ISWS
#undef ISIFS
  int empty_eof = got_eof && line.len == 0;
  free(line.s);
  free(esc.s);
  return got_eof ? 1 : (empty_eof ? 1 : 0);
}

/* getopts optstring name [arg...]: the next option of the positional parameters (or args), with
 * OPTARG, and OPTIND = the next argument to look at (as in dash, it moves past an argument as
 * soon as its first option is read); a ':' at the start of optstring silences errors. */
static int bi_getopts(int argc, char **argv) {
  static int optpos = 1;       /* > 1: position in args[OPTIND - 2], an argument in progress */
  static long last_optind = 1; /* OPTIND as we left it (a script that changes it restarts) */
  if (argc < 3) {
    sh_error("getopts: usage: getopts optstring var [arg]");
    return 2;
  }
  const char *opts = argv[1], *name = argv[2];
  char **args = argc > 3 ? argv + 3 : sh_argv;
  int nargs = argc > 3 ? argc - 3 : sh_argc;
  const char *oi = var_get("OPTIND");
  long optind = oi ? strtol(oi, NULL, 10) : 1;
  if (optind < 1) optind = 1;
  if (optind != last_optind) optpos = 1;
  int silent = opts[0] == ':';
  if (silent) opts++;
  char optc[2] = {'?', 0};
  int rc = 0;
  const char *arg = NULL;
  if (optpos > 1 && optind - 2 < nargs) {
    arg = args[optind - 2];
  } else {
    optpos = 1;
    arg = optind - 1 < nargs ? args[optind - 1] : NULL;
    if (arg == NULL || arg[0] != '-' || arg[1] == '\0') {
      arg = NULL;
    } else if (strcmp(arg, "--") == 0) {
      optind++;
      arg = NULL;
    } else {
      optind++;
    }
  }
  if (arg == NULL) {
    var_unset("OPTARG");
    rc = 1;
  } else {
    char c = arg[optpos++];
    int at_end = arg[optpos] == '\0';
    const char *spec = c != ':' ? strchr(opts, c) : NULL;
    char one[2] = {c, 0};
    if (spec == NULL) {
      if (silent) {
        var_set("OPTARG", one, 0);
      } else {
        char msg[64];
        int n = snprintf(msg, sizeof msg, "Illegal option -%c\n", c);
        write_all(2, msg, (size_t)n);
        var_unset("OPTARG");
      }
    } else if (spec[1] == ':') {
      if (!at_end) {
        var_set("OPTARG", arg + optpos, 0);
        optc[0] = c;
      } else if (optind - 1 < nargs) {
        var_set("OPTARG", args[optind - 1], 0);
        optind++;
        optc[0] = c;
      } else if (silent) {
        var_set("OPTARG", one, 0);
        optc[0] = ':';
      } else {
        char msg[64];
        int n = snprintf(msg, sizeof msg, "No arg for -%c option\n", c);
        write_all(2, msg, (size_t)n);
        var_unset("OPTARG");
      }
      at_end = 1;
    } else {
      var_set("OPTARG", "", 0);
      optc[0] = c;
    }
    if (at_end) optpos = 1;
  }
  var_set(name, optc, 0);
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", optind);
  var_set("OPTIND", buf, 0);
  last_optind = optind;
  return rc;
}

static int bi_umask(int argc, char **argv) {
  if (argc < 2) {
    mode_t m = umask(0);
    umask(m);
    char buf[16];
    snprintf(buf, sizeof buf, "%04o\n", (unsigned)m);
    outs(buf);
    return 0;
  }
  char *end;
  long m = strtol(argv[1], &end, 8);
  if (*end || m < 0 || m > 0777) {
    sh_error("umask: Illegal mode: %s", argv[1]);
    return 2;
  }
  umask((mode_t)m);
  return 0;
}

/* command [-v|-V] name [args]: -v describes; otherwise runs name skipping functions. */
static int bi_command(int argc, char **argv) {
  int i = 1, describe = 0;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-v") == 0) describe = 1;
    else if (strcmp(argv[i], "-V") == 0) describe = 2;
    else if (strcmp(argv[i], "-p") == 0) continue;
    else if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    } else break;
  }
  if (i >= argc) return 0;
  if (describe) {
    int rc = 0;
    for (; i < argc; i++) {
      const char *name = argv[i];
      str_t b = {0};
      if (func_get(name)) {
        str_adds(&b, name);
        if (describe == 2) str_adds(&b, " is a shell function");
      } else if (builtin_find(name)) {
        str_adds(&b, name);
        if (describe == 2) str_adds(&b, " is a shell builtin");
      } else {
        int err;
        char *p = find_command(name, &err);
        if (p == NULL) {
          if (describe == 2) {
            str_adds(&b, name);
            str_adds(&b, ": not found\n");
            out(b.s, b.len);
          }
          free(b.s);
          rc = 127;
          continue;
        }
        if (describe == 2) {
          str_adds(&b, name);
          str_adds(&b, " is ");
        }
        str_adds(&b, p);
        free(p);
      }
      str_addc(&b, '\n');
      out(b.s, b.len);
      free(b.s);
    }
    return rc;
  }
  const struct builtin *b = builtin_find(argv[i]);
  if (b) return b->fn(argc - i, argv + i);
  return run_argv(argv + i, argc - i);
}

static int bi_type(int argc, char **argv) {
  char **v = xmalloc((size_t)(argc + 2) * sizeof *v);
  v[0] = (char *)"command";
  v[1] = (char *)"-V";
  for (int i = 1; i < argc; i++) v[i + 1] = argv[i];
  v[argc + 1] = NULL;
  int r = bi_command(argc + 1, v);
  free(v);
  return r;
}

static int bi_jobs(int argc, char **argv) {
  (void)argc;
  (void)argv;
  jobs_reap();
  for (int i = 0; i < jobs_count(); i++) {
    char buf[64];
    snprintf(buf, sizeof buf, "[%d] %d\n", i + 1, (int)job_pid(i));
    outs(buf);
  }
  return 0;
}

/* ---- trap ---- */

char *trap_cmds[65];
static volatile sig_atomic_t trap_pending[65];
volatile sig_atomic_t trap_any;
volatile sig_atomic_t trap_last; /* the last trapped signal that arrived (until its trap ran) */

static void trap_handler(int sig) {
  if (sig > 0 && sig < 65) trap_pending[sig] = 1;
  trap_any = 1;
  trap_last = sig;
}

void traps_run(void) {
  if (!trap_any) return;
  trap_any = 0;
  trap_last = 0;
  for (int s = 1; s < 65; s++) {
    if (!trap_pending[s]) continue;
    trap_pending[s] = 0;
    if (trap_cmds[s] && *trap_cmds[s]) {
      int saved = sh.status;
      char *cmd = xstrdup(trap_cmds[s]);
      eval_string(cmd);
      free(cmd);
      sh.status = saved;
    }
  }
}

static int bi_trap(int argc, char **argv) {
  if (argc == 1) {
    for (int s = 0; s < 65; s++) {
      if (!trap_cmds[s]) continue;
      str_t b = {0};
      str_adds(&b, "trap -- '");
      for (const char *p = trap_cmds[s]; *p; p++) {
        if (*p == '\'') str_adds(&b, "'\\''");
        else str_addc(&b, *p);
      }
      str_adds(&b, "' ");
      str_adds(&b, s == 0 ? "EXIT" : sig_name(s) ? sig_name(s) : "?");
      str_addc(&b, '\n');
      out(b.s, b.len);
      free(b.s);
    }
    return 0;
  }
  int i = 1;
  if (strcmp(argv[i], "--") == 0) i++;
  const char *action = argv[i++];
  int reset = strcmp(action, "-") == 0;
  if (i >= argc && number(action) >= 0) {
    /* "trap N": reset N */
    reset = 1;
    i--;
  }
  int rc = 0;
  for (; i < argc; i++) {
    int sig = strcmp(argv[i], "EXIT") == 0 ? 0 : sig_num(argv[i]);
    if (sig < 0 || sig > 64 || sig == SIGKILL || sig == SIGSTOP) {
      sh_error("trap: %s: bad trap", argv[i]);
      rc = 1;
      continue;
    }
    free(trap_cmds[sig]);
    trap_cmds[sig] = reset ? NULL : xstrdup(action);
    if (sig == 0) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (reset) sa.sa_handler = SIG_DFL;
    else if (*action == '\0') sa.sa_handler = SIG_IGN;
    else sa.sa_handler = trap_handler;
    sigaction(sig, &sa, NULL);
  }
  return rc;
}

static const struct builtin builtins[] = {
  {".", bi_dot, 1, 0},       {":", bi_true, 1, 1},        {"[", bi_test, 0, 1},
  {"break", bi_break, 1, 0}, {"cd", bi_cd, 0, 0},         {"command", bi_command, 0, 0},
  {"continue", bi_break, 1, 0}, {"echo", bi_echo, 0, 1},  {"eval", bi_eval, 1, 0},
  {"exec", bi_true, 1, 0},   {"exit", bi_exit, 1, 0},     {"export", bi_export, 1, 0},
  {"false", bi_false, 0, 1}, {"getopts", bi_getopts, 0, 0}, {"jobs", bi_jobs, 0, 0},
  {"kill", bi_kill, 0, 0},
  {"local", bi_local, 0, 0},
  {"printf", bi_printf, 0, 1}, {"pwd", bi_pwd, 0, 1},     {"read", bi_read, 0, 0},
  {"readonly", bi_export, 1, 0}, {"return", bi_return, 1, 0}, {"set", bi_set, 1, 0},
  {"shift", bi_shift, 1, 0}, {"source", bi_dot, 1, 0},    {"test", bi_test, 0, 1},
  {"trap", bi_trap, 1, 0},   {"true", bi_true, 0, 1},     {"type", bi_type, 0, 0},
  {"umask", bi_umask, 0, 0}, {"unset", bi_unset, 1, 0},   {"wait", bi_wait, 0, 0},
  {NULL, NULL, 0, 0},
};

const struct builtin *builtin_find(const char *name) {
  for (int i = 0; builtins[i].name; i++)
    if (strcmp(builtins[i].name, name) == 0) return &builtins[i];
  return NULL;
}
