/*
 * sysconf and getpagesize as programs see them (the headers name them __occlum_sysconf and
 * __occlum_getpagesize): Linux's 4096-byte page instead of the 64 KiB Wasm page, and the
 * process limits the LibOS has. Everything else is wasi-libc's answer. No kernel import: this is
 * linked into many programs.
 */
#include <errno.h>
#include <unistd.h>

long __wasilibc_sysconf(int) __asm__("sysconf");

#define PAGE 4096L

long sysconf(int name) /* = __occlum_sysconf */
{
	switch (name) {
	case _SC_PAGESIZE: return PAGE;
	case _SC_CHILD_MAX: return 4096;       /* the kernel's RLIMIT_NPROC */
	case _SC_OPEN_MAX: return 1024;        /* the kernel's default RLIMIT_NOFILE */
	case _SC_NGROUPS_MAX: return 65536;
	case _SC_JOB_CONTROL: return 1;
	case _SC_SAVED_IDS: return 1;
	case _SC_SIGQUEUE_MAX: return 32;
	case _SC_RTSIG_MAX: return 64 - 34 + 1;
	case _SC_PHYS_PAGES: return (long)(0x100000000ULL / PAGE); /* a 4 GiB wasm32 address space */
	case _SC_AVPHYS_PAGES: return (long)(0x100000000ULL / PAGE);
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN: return 1;  /* one thread per process until wasi-threads */
	default: return __wasilibc_sysconf(name);
	}
}

int getpagesize(void) /* = __occlum_getpagesize */
{
	return (int)PAGE;
}
