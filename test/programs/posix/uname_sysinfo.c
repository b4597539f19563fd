/* uname, gethostname, sysinfo, sysconf, getpagesize. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct utsname u;
	int r = uname(&u);
	printf("uname: %d sysname=%s nodename nonempty=%d release nonempty=%d machine nonempty=%d\n", r, u.sysname, u.nodename[0] != 0, u.release[0] != 0, u.machine[0] != 0);
	char host[HOST_NAME_MAX + 1];
	r = gethostname(host, sizeof host);
	printf("gethostname: %d same as nodename=%d\n", r, strcmp(host, u.nodename) == 0);

	struct sysinfo si;
	r = sysinfo(&si);
	printf("sysinfo: %d totalram>0=%d freeram<=totalram=%d procs>=1=%d mem_unit>=1=%d uptime>=0=%d\n", r,
		si.totalram > 0, si.freeram <= si.totalram, si.procs >= 1, si.mem_unit >= 1, (long)si.uptime >= 0);

	printf("sysconf(_SC_PAGESIZE)=%ld getpagesize()=%d\n", sysconf(_SC_PAGESIZE), getpagesize());
	printf("sysconf(_SC_CLK_TCK)=%ld\n", sysconf(_SC_CLK_TCK));
	printf("sysconf(_SC_OPEN_MAX)>=64: %d\n", sysconf(_SC_OPEN_MAX) >= 64);
	printf("sysconf(_SC_NPROCESSORS_ONLN)>=1: %d\n", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	printf("sysconf(_SC_ARG_MAX)>=4096: %d\n", sysconf(_SC_ARG_MAX) >= 4096);
	return 0;
}
