/* SDK/kernel problem found by the shell (`trap '' INT; sh -c 'kill -INT $$'`), reduced: ignored
 * signals stay ignored across posix_spawn. Prints "child: SIG_IGN, survived" then
 * "parent: child exited 0". (The SDK passes SIG_IGN to the kernel as 1, the kernel and
 * docs/linux-abi.md use -2, so the kernel takes it for a handler and resets it in the child.) */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    struct sigaction sa;
    sigaction(SIGINT, NULL, &sa);
    printf("child: %s", sa.sa_handler == SIG_IGN ? "SIG_IGN" : sa.sa_handler == SIG_DFL ? "SIG_DFL" : "handler");
    fflush(stdout);
    kill(getpid(), SIGINT);
    printf(", survived\n");
    return 0;
  }
  signal(SIGINT, SIG_IGN);
  char *av[] = {argv[0], (char *)"child", NULL};
  pid_t pid;
  int st = 0;
  int r = posix_spawn(&pid, argv[0], NULL, NULL, av, environ);
  if (r == 0) waitpid(pid, &st, 0);
  if (WIFSIGNALED(st)) printf("\nparent: child killed by signal %d\n", WTERMSIG(st));
  else printf("parent: child exited %d\n", WEXITSTATUS(st));
  return r;
}
