/*
 * O_* flags between wasi-libc's values (the ones programs see; O_CLOEXEC is the SDK's 0x20,
 * see sdk/include/fcntl.h) and Linux's (what the kernel's `linux` imports take).
 */
#include <fcntl.h>
#include "internal.h"

int __occlum_oflags_to_linux(int f)
{
	int l = 0;
	switch (f & O_ACCMODE) {
	case O_RDWR: l = L_O_RDWR; break;
	case O_WRONLY: l = L_O_WRONLY; break;
	case O_RDONLY: l = L_O_RDONLY; break;
	default: l = L_O_PATH; break; /* O_EXEC, O_SEARCH */
	}
	if (f & O_APPEND) l |= L_O_APPEND;
	if (f & O_NONBLOCK) l |= L_O_NONBLOCK;
	if (f & O_DSYNC) l |= L_O_DSYNC;
	if (f & (O_SYNC | O_RSYNC)) l |= L_O_SYNC;
	if (f & O_CREAT) l |= L_O_CREAT;
	if (f & O_DIRECTORY) l |= L_O_DIRECTORY;
	if (f & O_EXCL) l |= L_O_EXCL;
	if (f & O_TRUNC) l |= L_O_TRUNC;
	if (f & O_NOFOLLOW) l |= L_O_NOFOLLOW;
	if (f & O_CLOEXEC) l |= L_O_CLOEXEC;
	return l;
}

int __occlum_oflags_from_linux(int l)
{
	int f;
	if (l & L_O_PATH) f = O_SEARCH;
	else switch (l & 3) {
	case L_O_RDWR: f = O_RDWR; break;
	case L_O_WRONLY: f = O_WRONLY; break;
	default: f = O_RDONLY; break;
	}
	if (l & L_O_APPEND) f |= O_APPEND;
	if (l & L_O_NONBLOCK) f |= O_NONBLOCK;
	if ((l & L_O_SYNC) == L_O_SYNC) f |= O_SYNC;
	else if (l & L_O_DSYNC) f |= O_DSYNC;
	if (l & L_O_CREAT) f |= O_CREAT;
	if (l & L_O_DIRECTORY) f |= O_DIRECTORY;
	if (l & L_O_EXCL) f |= O_EXCL;
	if (l & L_O_TRUNC) f |= O_TRUNC;
	if (l & L_O_NOFOLLOW) f |= O_NOFOLLOW;
	if (l & L_O_CLOEXEC) f |= O_CLOEXEC;
	return f;
}
