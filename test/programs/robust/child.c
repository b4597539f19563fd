// Child for robust.c: exit N | spin (print one byte, then compute forever) | flood (write forever) | echo (stdin to stdout)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "exit")) return atoi(argv[2]);
  if (!strcmp(argv[1], "spin")) {
    write(1, "r", 1);
    volatile unsigned long x = 0;
    for (;;) x++;
  }
  if (!strcmp(argv[1], "flood")) {
    static char buf[4096];
    memset(buf, 'f', sizeof buf);
    for (;;) if (write(1, buf, sizeof buf) < 0) return 1;
  }
  if (!strcmp(argv[1], "echo")) {
    char buf[256];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, (size_t)n);
    return 0;
  }
  return 2;
}
