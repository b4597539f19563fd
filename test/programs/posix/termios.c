/* termios: struct layout, cfmakeraw, speeds, tcgetattr on a non-terminal. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct termios t;
	printf("sizeof(struct termios) = %zu, c_cc at %zu, NCCS = %d\n", sizeof t, offsetof(struct termios, c_cc), NCCS);
	int p[2];
	pipe(p);
	CALL("tcgetattr(pipe)", tcgetattr(p[0], &t));

	memset(&t, 0, sizeof t);
	t.c_iflag = ICRNL | IXON | BRKINT;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = CS7 | PARENB | CREAD;
	t.c_lflag = ICANON | ECHO | ISIG | IEXTEN;
	cfmakeraw(&t);
	printf("cfmakeraw: iflag=%#o oflag=%#o cflag=%#o lflag=%#o VMIN=%d VTIME=%d\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag, t.c_cc[VMIN], t.c_cc[VTIME]);

	CALL("cfsetospeed(B9600)", cfsetospeed(&t, B9600));
	printf("cfgetospeed == B9600: %d\n", cfgetospeed(&t) == B9600);
	CALL("cfsetispeed(B115200)", cfsetispeed(&t, B115200));
	printf("ispeed == B115200: %d\n", cfgetispeed(&t) == B115200);
	CALL("cfsetospeed(bad)", cfsetospeed(&t, 12345));
	printf("constants: VINTR=%d VEOF=%d VMIN=%d ECHO=%#o ICANON=%#o TCSANOW=%d TCSAFLUSH=%d B38400=%#o\n", VINTR, VEOF, VMIN, ECHO, ICANON, TCSANOW, TCSAFLUSH, B38400);
	CALL("tcsetattr(bad action)", tcsetattr(p[0], 99, &t));
	return 0;
}
