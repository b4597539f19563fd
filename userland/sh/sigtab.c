/* /bin/sh: signal names and the messages shells print for commands killed by a signal
 * (Linux numbering, which the occlum-ts SDK's <signal.h> also uses). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sh.h"

static const struct {
  int num;
  const char *name;
  const char *msg; /* NULL: print nothing (SIGINT, SIGPIPE) */
} sigs[] = {
  {SIGHUP, "HUP", "Hangup"},
  {SIGINT, "INT", NULL},
  {SIGQUIT, "QUIT", "Quit"},
  {SIGILL, "ILL", "Illegal instruction"},
  {SIGTRAP, "TRAP", "Trace/breakpoint trap"},
  {SIGABRT, "ABRT", "Aborted"},
  {SIGBUS, "BUS", "Bus error"},
  {SIGFPE, "FPE", "Floating point exception"},
  {SIGKILL, "KILL", "Killed"},
  {SIGUSR1, "USR1", "User defined signal 1"},
  {SIGSEGV, "SEGV", "Segmentation fault"},
  {SIGUSR2, "USR2", "User defined signal 2"},
  {SIGPIPE, "PIPE", NULL},
  {SIGALRM, "ALRM", "Alarm clock"},
  {SIGTERM, "TERM", "Terminated"},
  {SIGSTKFLT, "STKFLT", "Stack fault"},
  {SIGCHLD, "CHLD", "Child exited"},
  {SIGCONT, "CONT", "Continued"},
  {SIGSTOP, "STOP", "Stopped (signal)"},
  {SIGTSTP, "TSTP", "Stopped"},
  {SIGTTIN, "TTIN", "Stopped (tty input)"},
  {SIGTTOU, "TTOU", "Stopped (tty output)"},
  {SIGURG, "URG", "Urgent I/O condition"},
  {SIGXCPU, "XCPU", "CPU time limit exceeded"},
  {SIGXFSZ, "XFSZ", "File size limit exceeded"},
  {SIGVTALRM, "VTALRM", "Virtual timer expired"},
  {SIGPROF, "PROF", "Profiling timer expired"},
  {SIGWINCH, "WINCH", "Window changed"},
  {SIGIO, "IO", "I/O possible"},
  {SIGPWR, "PWR", "Power failure"},
  {SIGSYS, "SYS", "Bad system call"},
};
#define NSIGS ((int)(sizeof sigs / sizeof sigs[0]))

const char *sig_name(int sig) {
  for (int i = 0; i < NSIGS; i++)
    if (sigs[i].num == sig) return sigs[i].name;
  return NULL;
}

int sig_num(const char *s) {
  if (*s >= '0' && *s <= '9') {
    char *end;
    long n = strtol(s, &end, 10);
    if (*end != '\0' || n < 0 || n > 64) return -1;
    return (int)n;
  }
  if (strncasecmp(s, "SIG", 3) == 0) s += 3;
  for (int i = 0; i < NSIGS; i++)
    if (strcasecmp(sigs[i].name, s) == 0) return sigs[i].num;
  return -1;
}

const char *sig_message(int sig) {
  for (int i = 0; i < NSIGS; i++)
    if (sigs[i].num == sig) return sigs[i].msg;
  return "";
}
