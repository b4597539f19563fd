/* termios on ioctl(TCGETS/TCSETS*) (musl's implementations). */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int tcgetattr(int fd, struct termios *t)
{
	return ioctl(fd, TCGETS, t) ? -1 : 0;
}

int tcsetattr(int fd, int act, const struct termios *t)
{
	if (act < 0 || act > 2) {
		errno = EINVAL;
		return -1;
	}
	return ioctl(fd, TCSETS + act, t);
}

int tcgetwinsize(int fd, struct winsize *wsz)
{
	return ioctl(fd, TIOCGWINSZ, wsz);
}

int tcsetwinsize(int fd, const struct winsize *wsz)
{
	return ioctl(fd, TIOCSWINSZ, wsz);
}

int tcsendbreak(int fd, int dur)
{
	(void)dur;
	return ioctl(fd, TCSBRK, 0);
}

int tcdrain(int fd)
{
	/* Output to the LibOS's terminal is never queued: check that fd is one. */
	struct termios t;
	return tcgetattr(fd, &t);
}

int tcflush(int fd, int queue)
{
	if (queue < 0 || queue > 2) {
		errno = EINVAL;
		return -1;
	}
	struct termios t;
	return tcgetattr(fd, &t); /* nothing is buffered in the LibOS's terminal */
}

int tcflow(int fd, int action)
{
	if (action < 0 || action > 3) {
		errno = EINVAL;
		return -1;
	}
	struct termios t;
	return tcgetattr(fd, &t);
}

pid_t tcgetsid(int fd)
{
	int sid;
	if (ioctl(fd, TIOCGSID, &sid) < 0) return -1;
	return sid;
}

speed_t cfgetospeed(const struct termios *tio)
{
	return tio->c_cflag & CBAUD;
}

speed_t cfgetispeed(const struct termios *tio)
{
	return cfgetospeed(tio);
}

int cfsetospeed(struct termios *tio, speed_t speed)
{
	if (speed & ~CBAUD) {
		errno = EINVAL;
		return -1;
	}
	tio->c_cflag &= ~CBAUD;
	tio->c_cflag |= speed;
	return 0;
}

int cfsetispeed(struct termios *tio, speed_t speed)
{
	return speed ? cfsetospeed(tio, speed) : 0;
}

int cfsetspeed(struct termios *tio, speed_t speed)
{
	return cfsetospeed(tio, speed);
}

void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(IGNBRK|BRKINT|PARMRK|ISTRIP|INLCR|IGNCR|ICRNL|IXON);
	t->c_oflag &= ~OPOST;
	t->c_lflag &= ~(ECHO|ECHONL|ICANON|ISIG|IEXTEN);
	t->c_cflag &= ~(CSIZE|PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}
