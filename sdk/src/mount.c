/* mount/umount/umount2 (sys/mount.h), on the kernel's `linux.mount`/`umount2`. */
#include <sys/mount.h>
#include "internal.h"

int mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data)
{
	return __occlum_ret(__linux_mount(source, target, type, flags, data));
}

int umount(const char *target)
{
	return __occlum_ret(__linux_umount2(target, 0));
}

int umount2(const char *target, int flags)
{
	return __occlum_ret(__linux_umount2(target, flags));
}
