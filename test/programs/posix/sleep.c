/* nanosleep/clock_nanosleep/sleep/usleep: argument checks and interruption. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "test_errno.h"

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct timespec ts = { 0, 1000 * 1000 }, rem;
	printf("nanosleep 1 ms: %d\n", nanosleep(&ts, NULL));
	ts.tv_sec = -1;
	CALL("negative seconds", nanosleep(&ts, NULL));
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000;
	CALL("nsec = 1e9", nanosleep(&ts, NULL));
	ts.tv_nsec = -1;
	CALL("negative nsec", nanosleep(&ts, NULL));
	errno = 0;
	struct timespec *none = NULL;
	CALL("NULL request", nanosleep(none, NULL));
	printf("sleep(0): %u usleep(1000): %d\n", sleep(0), usleep(1000));

	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("clock_nanosleep until a past time: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL));
	struct timespec bad = { 0, -5 };
	printf("clock_nanosleep returns the error: %d\n", clock_nanosleep(CLOCK_REALTIME, 0, &bad, NULL) == EINVAL);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 100 * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	errno = 0;
	int r = nanosleep(&ts, &rem);
	printf("interrupted: %d %s, time left between 4 and 5 s: %d\n", r, errno == EINTR ? "EINTR" : "?", rem.tv_sec == 4 && rem.tv_nsec > 0);
	setitimer(ITIMER_REAL, &it, NULL);
	unsigned left = sleep(3);
	printf("sleep(3) interrupted, returns about 3: %d\n", left >= 2 && left <= 3);
	return 0;
}
