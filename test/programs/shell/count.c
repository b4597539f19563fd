/* Shell test helper: count — reads stdin, prints "<bytes> ok" if byte i == i % 251 throughout
 * (the pattern of gen), else "<bytes> bad at <offset>". */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  static unsigned char buf[65536];
  long long total = 0, bad = -1;
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n && bad < 0; i++)
      if (buf[i] != (unsigned char)((total + i) % 251)) bad = total + i;
    total += n;
  }
  if (bad < 0) printf("%lld ok\n", total);
  else printf("%lld bad at %lld\n", total, bad);
  return 0;
}
