/* getrlimit/setrlimit/prlimit: lowering and reading back, errors, RLIM_INFINITY. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct rlimit rl, orig;
	CALL("getrlimit(NOFILE)", getrlimit(RLIMIT_NOFILE, &orig));
	printf("cur<=max: %d cur>=64: %d\n", orig.rlim_cur <= orig.rlim_max, orig.rlim_cur >= 64);
	rl.rlim_cur = 64;
	rl.rlim_max = orig.rlim_max;
	CALL("setrlimit(NOFILE, 64)", setrlimit(RLIMIT_NOFILE, &rl));
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("read back: cur=%llu max unchanged=%d\n", (unsigned long long)rl.rlim_cur, rl.rlim_max == orig.rlim_max);

	rl.rlim_cur = 100;
	rl.rlim_max = 50;
	CALL("cur > max", setrlimit(RLIMIT_NOFILE, &rl));
	CALL("bad resource", getrlimit(12345, &rl));

	struct rlimit core = { 0, 0 }, old;
	getrlimit(RLIMIT_CORE, &old);
	core.rlim_max = old.rlim_max;
	CALL("setrlimit(CORE, 0)", setrlimit(RLIMIT_CORE, &core));
	getrlimit(RLIMIT_CORE, &core);
	printf("core cur: %llu\n", (unsigned long long)core.rlim_cur);

	struct rlimit as;
	getrlimit(RLIMIT_AS, &as);
	printf("RLIMIT_AS is infinite: %d\n", as.rlim_cur == RLIM_INFINITY);
	CALL("prlimit(0, NOFILE)", prlimit(0, RLIMIT_NOFILE, NULL, &rl));
	printf("cur=%llu\n", (unsigned long long)rl.rlim_cur);
	CALL("prlimit(getpid(), NOFILE)", prlimit(getpid(), RLIMIT_NOFILE, NULL, &rl));
	struct rusage ru;
	CALL("getrusage(SELF)", getrusage(RUSAGE_SELF, &ru));
	CALL("getrusage(CHILDREN)", getrusage(RUSAGE_CHILDREN, &ru));
	CALL("getrusage(bad)", getrusage(12345, &ru));
	return 0;
}
