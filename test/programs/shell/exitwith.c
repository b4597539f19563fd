/* Shell test helper: exitwith N — exits with status N; exitwith -SIG kills itself with SIG. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 0;
  if (n < 0) {
    kill(getpid(), -n);
    pause();
  }
  return n;
}
