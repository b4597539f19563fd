/* Shell test helper: wc [-l|-w|-c] (stdin only), output like GNU wc for one option. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static char buf[65536];
  long lines = 0, words = 0, bytes = 0;
  int inword = 0;
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      char c = buf[i];
      if (c == '\n') lines++;
      int sp = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
      if (!sp && !inword) words++;
      inword = !sp;
    }
    bytes += n;
  }
  const char *opt = argc > 1 ? argv[1] : "";
  if (strcmp(opt, "-l") == 0) printf("%ld\n", lines);
  else if (strcmp(opt, "-w") == 0) printf("%ld\n", words);
  else if (strcmp(opt, "-c") == 0) printf("%ld\n", bytes);
  else printf("%7ld %7ld %7ld\n", lines, words, bytes);
  return 0;
}
