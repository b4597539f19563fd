/* alarm + pause, setitimer/getitimer with an interval, alarm's return value. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	printf("alarm(0) with none set: %u\n", alarm(0));
	alarm(10);
	unsigned left = alarm(1);
	printf("alarm(1) after alarm(10) returns about 10: %d\n", left >= 9 && left <= 10);
	errno = 0;
	int r = pause();
	printf("pause: %d %s ticks=%d\n", r, errno == EINTR ? "EINTR" : "?", (int)ticks);

	struct itimerval it = { { 0, 20 * 1000 }, { 0, 20 * 1000 } }, cur;
	printf("setitimer: %d\n", setitimer(ITIMER_REAL, &it, NULL));
	getitimer(ITIMER_REAL, &cur);
	printf("getitimer: interval %ld us, value within the interval: %d\n", (long)cur.it_interval.tv_usec,
		cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20 * 1000);
	sigset_t none;
	sigemptyset(&none);
	ticks = 0;
	while (ticks < 3) sigsuspend(&none);
	printf("three ticks: %d\n", (int)ticks);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, &cur);
	printf("old interval reported: %ld us\n", (long)cur.it_interval.tv_usec);
	getitimer(ITIMER_REAL, &cur);
	printf("disarmed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	return 0;
}
