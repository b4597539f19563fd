/* yes [STRING]...: prints the strings (or "y") separated by spaces, one line after another, until a write fails. */
#include "common.h"

int main(int argc, char **argv) {
  ul_setprog("yes");
  struct ul_buf line = {0};
  int i = 1;
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  if (i >= argc) ul_buf_add(&line, "y", 1);
  for (int first = 1; i < argc; i++, first = 0) {
    if (!first) ul_buf_add(&line, " ", 1);
    ul_buf_add(&line, argv[i], strlen(argv[i]));
  }
  ul_buf_add(&line, "\n", 1);
  /* fill a buffer with whole copies of the line, then write it over and over */
  struct ul_buf block = {0};
  do ul_buf_add(&block, line.data, line.len);
  while (block.len < 8192);
  for (;;) {
    if (ul_write_all(1, block.data, block.len) < 0) {
      if (errno != EPIPE) ul_err("standard output: %s", strerror(errno));
      return 1;
    }
  }
}
