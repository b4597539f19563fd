/* Shared by the C test programs: errno names (strerror's wording differs between C libraries,
 * and the LibOS runs are compared with native ones) and CALL, which runs an expression once and
 * prints its value and, if negative, errno's name. occlum-cc finds it through the -I that
 * test/helpers/libos.ts compileProgram adds; the native side inlines it (helpers/differential.ts). */
#ifndef TEST_ERRNO_H
#define TEST_ERRNO_H
#include <errno.h>
#include <stdio.h>

static const char *en(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENXIO: return "ENXIO";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EMLINK: return "EMLINK";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case EDEADLK: return "EDEADLK";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOLCK: return "ENOLCK";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENODEV: return "ENODEV";
	default: return "E?";
	}
}

/* C leaves the order of evaluation of printf's arguments unspecified, so the call and errno are
 * never read in one expression. */
#define CALL(label, expr) do { \
	errno = 0; \
	long r_ = (long)(expr); \
	int e_ = errno; \
	printf("%s: %ld%s%s\n", label, r_, r_ < 0 ? " " : "", r_ < 0 ? en(e_) : ""); \
	fflush(stdout); \
} while (0)
#endif
