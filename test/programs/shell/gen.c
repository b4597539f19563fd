/* Shell test helper: gen BYTES — writes BYTES bytes of a repeating pattern (byte i = i % 251). */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static unsigned char buf[65536 + 251];
  long long total = argc > 1 ? atoll(argv[1]) : 0;
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i % 251);
  long long off = 0;
  while (off < total) {
    size_t start = (size_t)(off % 251);
    size_t n = total - off < 65536 ? (size_t)(total - off) : 65536;
    ssize_t w = write(1, buf + start, n);
    if (w <= 0) return 1;
    off += w;
  }
  return 0;
}
