// A probe for the `occlum` CLI tests: one program, several behaviours chosen by argv[1].
//   (anything else)   print "Hello from <argv0>!" and the arguments; exit with argc
//   args              print argc and each argv[i]
//   env               print each environment variable as "env <NAME=value>"
//   exit <n>          exit(n)
//   loop              print "ready", then spin forever (for Ctrl-C)
//   segv              store through a pointer far outside linear memory (SIGSEGV)
//   trap              __builtin_trap() (SIGILL)
//   ls <dir>          print the names in <dir>, one per line
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "args") == 0) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
  }
  if (strcmp(mode, "env") == 0) {
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    return 0;
  }
  if (strcmp(mode, "exit") == 0 && argc > 2) {
    exit(atoi(argv[2]));
  }
  if (strcmp(mode, "loop") == 0) {
    volatile unsigned long counter = 0;
    printf("ready\n");
    fflush(stdout);
    for (;;) counter++;
  }
  if (strcmp(mode, "segv") == 0) {
    printf("storing out of bounds\n");
    fflush(stdout);
    *(volatile int *)0xfffffff0 = 1;
    return 0;
  }
  if (strcmp(mode, "trap") == 0) {
    printf("trapping\n");
    fflush(stdout);
    __builtin_trap();
  }
  if (strcmp(mode, "ls") == 0 && argc > 2) {
    DIR *d = opendir(argv[2]);
    if (!d) { perror(argv[2]); return 1; }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) printf("%s\n", e->d_name);
    closedir(d);
    return 0;
  }
  printf("Hello from %s!", argv[0]);
  for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
  printf("\n");
  return argc;
}
