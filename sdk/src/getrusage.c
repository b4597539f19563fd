/*
 * getrusage (the headers name it __occlum_getrusage: wasi-libc's libwasi-emulated-process-clocks
 * defines getrusage with WASI's RUSAGE_* numbering). RUSAGE_SELF/RUSAGE_THREAD report the
 * process CPU-time clock as user time; the kernel keeps no other accounting yet.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <wasi/api.h>

int getrusage(int who, struct rusage *ru) /* = __occlum_getrusage */
{
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD) {
		errno = EINVAL;
		return -1;
	}
	memset(ru, 0, sizeof *ru);
	if (who != RUSAGE_CHILDREN) {
		__wasi_timestamp_t ns;
		if (__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, &ns) == 0) {
			ru->ru_utime.tv_sec = ns / 1000000000;
			ru->ru_utime.tv_usec = (ns % 1000000000) / 1000;
		}
	}
	return 0;
}

int __occlum_getrusage_alias(int, struct rusage *) __asm__("getrusage") __attribute__((weak, alias("__occlum_getrusage")));
