/*
 * echo [-neE] [STRING]...: the strings separated by spaces, then a newline.
 * As GNU echo: an argument is an option only if it is made entirely of n, e, E after the '-';
 * "--" is printed; -e interprets \\ \a \b \c \e \f \n \r \t \v \0NNN \NNN \xHH.
 */
#include "common.h"

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

static int isxd(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* Prints s with escapes; returns 1 if \c stopped the output. */
static int put_escaped(const char *s) {
  while (*s) {
    int c = (unsigned char)*s++;
    if (c == '\\' && *s) {
      c = (unsigned char)*s++;
      switch (c) {
      case 'a': c = '\a'; break;
      case 'b': c = '\b'; break;
      case 'c': return 1;
      case 'e': c = 0x1b; break;
      case 'f': c = '\f'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case 'v': c = '\v'; break;
      case '\\': break;
      case 'x':
        if (!isxd(*s)) {
          putchar('\\');
          break;
        }
        c = hexval(*s++);
        if (isxd(*s)) c = c * 16 + hexval(*s++);
        break;
      case '0':
        c = 0;
        if (!(*s >= '0' && *s <= '7')) break;
        c = (unsigned char)*s++;
        /* fall through */
      case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        c -= '0';
        if (*s >= '0' && *s <= '7') c = c * 8 + (*s++ - '0');
        if (*s >= '0' && *s <= '7') c = c * 8 + (*s++ - '0');
        break;
      default:
        putchar('\\');
        break;
      }
    }
    putchar(c);
  }
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("echo");
  int newline = 1, escapes = 0, i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == '\0') break;
    const char *p = a + 1;
    while (*p == 'n' || *p == 'e' || *p == 'E') p++;
    if (*p != '\0') break;
    for (p = a + 1; *p; p++) {
      if (*p == 'n') newline = 0;
      else if (*p == 'e') escapes = 1;
      else escapes = 0;
    }
  }
  for (int first = 1; i < argc; i++, first = 0) {
    if (!first) putchar(' ');
    if (escapes) {
      if (put_escaped(argv[i])) return ul_flush_stdout();
    } else {
      fputs(argv[i], stdout);
    }
  }
  if (newline) putchar('\n');
  return ul_flush_stdout();
}
