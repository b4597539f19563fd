/* /bin/sh: start-up (options, -c, script files, stdin, the interactive prompt) and the
 * read-parse-evaluate loop.
 *
 *   sh [-eux...] -c 'commands' [arg0 [arg...]]
 *   sh [-eux...] script [arg...]
 *   sh [-eux...] [-s] [arg...]      (commands from stdin; a prompt if it is a terminal) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

extern char **environ;

void sh_exit(int status) {
  static int exiting;
  if (!exiting && trap_cmds[0] != NULL) {
    exiting = 1;
    char *cmd = trap_cmds[0];
    trap_cmds[0] = NULL;
    sh.skip = SKIP_NONE;
    sh.status = status;
    eval_string(cmd);
    /* `exit` inside the trap ends here with its own status */
  }
  exit(status & 0xff);
}

/* This shell's executable, for child shells. */
static const char *find_self(const char *argv0) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = '\0';
    if (access(buf, X_OK) == 0) return xstrdup(buf);
  }
  if (argv0 && strchr(argv0, '/')) {
    if (argv0[0] == '/') return xstrdup(argv0);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) {
      str_t b = {0};
      str_adds(&b, cwd);
      str_addc(&b, '/');
      str_adds(&b, argv0);
      return str_done(&b);
    }
    return xstrdup(argv0);
  }
  if (argv0 && *argv0) {
    int err;
    char *p = find_command(argv0, &err);
    if (p) return p;
  }
  return "/bin/sh";
}

static void run_loop(void) {
  for (;;) {
    int eof, err;
    jobs_reap();
    traps_run();
    struct node *n = parse_command(&eof, &err);
    if (err) {
      sh.status = 2;
      if (!sh.interactive) sh_exit(2);
      continue;
    }
    if (eof) break;
    if (n == NULL) continue;
    if (sh.opt_v) {
      char *t = deparse_text(n);
      write_all(2, t, strlen(t));
      free(t);
    }
    if (!sh.opt_n) eval_node(n);
    node_free(n);
    traps_run();
    if (sh.skip == SKIP_RETURN || sh.skip == SKIP_BREAK || sh.skip == SKIP_CONT) sh.skip = SKIP_NONE;
  }
  if (sh.interactive) write_all(2, "\n", 1);
}

static void usage_error(const char *msg, const char *arg) {
  sh_error("%s%s", msg, arg ? arg : "");
  exit(2);
}

int main(int argc, char **argv) {
  sh.name = "sh";
  sh.pid = getpid();
  var_import_environ(environ);
  const char *state = getenv(SH_STATE_VAR);
  char *state_copy = state ? xstrdup(state) : NULL;
  if (state) {
    var_unset(SH_STATE_VAR);
    unsetenv(SH_STATE_VAR);
  }

  /* options */
  const char *cmd = NULL;
  int force_i = 0, read_stdin = 0;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0 || strcmp(a, "-") == 0) {
      i++;
      break;
    }
    if ((a[0] != '-' && a[0] != '+') || a[1] == '\0') break;
    int on = a[0] == '-';
    for (const char *p = a + 1; *p; p++) {
      switch (*p) {
      case 'c':
        if (!on) break;
        cmd = "";
        break;
      case 'i': force_i = on; break;
      case 's': read_stdin = on; break;
      case 'e': sh.opt_e = on; break;
      case 'u': sh.opt_u = on; break;
      case 'x': sh.opt_x = on; break;
      case 'f': sh.opt_f = on; break;
      case 'n': sh.opt_n = on; break;
      case 'v': sh.opt_v = on; break;
      case 'o':
        if (i + 1 < argc) {
          char *v[3] = {(char *)"set", (char *)(on ? "-o" : "+o"), argv[++i]};
          int consumed;
          if (sh_set_options(3, v, &consumed) < 0) exit(2);
        }
        break;
      case 'a': case 'b': case 'C': case 'm': case 'h': case 'l': break;
      default: {
        char o[3] = {a[0], *p, '\0'};
        usage_error("Illegal option ", o);
      }
      }
    }
  }
  if (cmd) {
    if (i >= argc) usage_error("-c requires an argument", NULL);
    cmd = argv[i++];
  }

  const char *script = NULL;
  sh_arg0 = xstrdup(argv[0] ? argv[0] : "sh");
  if (cmd) {
    if (i < argc) {
      free(sh_arg0);
      sh_arg0 = xstrdup(argv[i++]);
    }
  } else if (!read_stdin && i < argc) {
    script = argv[i++];
    free(sh_arg0);
    sh_arg0 = xstrdup(script);
  }
  pos_set(argv + i, argc - i);

  if (state_copy) {
    sh.subshell = 1;
    /* the child of a shell: its variables, functions, $?, $!, $$, options (and, since its
     * command line is just `sh -c text`, its $0 and positional parameters) */
    const char *self = NULL;
    if (strncmp(state_copy, "S", 1) == 0) {
      char *nl = strchr(state_copy, '\n');
      if (nl) {
        *nl = '\0';
        self = xstrdup(state_copy + 1);
        memmove(state_copy, nl + 1, strlen(nl + 1) + 1);
      }
    }
    sh.self = self ? self : find_self(argv[0]);
    state_restore(state_copy);
    free(state_copy);
  } else {
    sh.self = find_self(argv[0]);
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)getppid());
    var_set("PPID", buf, 0);
    if (var_get("PS4") == NULL) var_set("PS4", "+ ", 0);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) var_set("PWD", cwd, V_EXPORT);
  }
  if (var_get("PATH") == NULL) var_set("PATH", "/bin:/usr/bin", 0);

  if (cmd) {
    input_push_string(cmd);
  } else if (script) {
    int fd = open(script, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      sh_error("cannot open %s: %s", script, errno == ENOENT ? "No such file" : strerror(errno));
      exit(2);
    }
    input_push_fd(fd_move_high(fd), 0);
  } else {
    sh.interactive = force_i || (isatty(0) && isatty(2));
    input_push_fd(0, sh.interactive);
  }
  sh.name = sh_arg0; /* messages start with $0, as dash's do */
  if (sh.interactive) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
  }
  run_loop();
  sh_exit(sh.status);
  return sh.status;
}
