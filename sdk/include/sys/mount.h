/*
 * occlum-ts SDK: <sys/mount.h> (Linux's; wasi-libc has none). mount/umount/umount2 are
 * libocclum's, on the kernel's `linux.mount`/`umount2`. What can be mounted is Occlum's:
 *   mount("hostfs", dir, "hostfs", 0, "dir=<absolute host directory>")
 *   mount("ramfs", dir, "ramfs", 0, NULL)
 *   mount("sefs", dir, "sefs", 0, "dir=<host directory>[,size=64MB]")  (when the instance allows it)
 * MS_RDONLY makes the mount read-only (EROFS); '/' can be neither mounted over nor unmounted.
 */
#ifndef __OCCLUM_SYS_MOUNT_H
#define __OCCLUM_SYS_MOUNT_H

#ifdef __cplusplus
extern "C" {
#endif

#define MS_RDONLY      1
#define MS_NOSUID      2
#define MS_NODEV       4
#define MS_NOEXEC      8
#define MS_SYNCHRONOUS 16
#define MS_REMOUNT     32
#define MS_MANDLOCK    64
#define MS_DIRSYNC     128
#define MS_NOATIME     1024
#define MS_NODIRATIME  2048
#define MS_BIND        4096
#define MS_MOVE        8192
#define MS_REC         16384
#define MS_SILENT      32768
#define MS_MGC_VAL     0xc0ed0000
#define MS_MGC_MSK     0xffff0000

#define MNT_FORCE       1
#define MNT_DETACH      2
#define MNT_EXPIRE      4
#define UMOUNT_NOFOLLOW 8

int mount(const char *, const char *, const char *, unsigned long, const void *);
int umount(const char *);
int umount2(const char *, int);

#ifdef __cplusplus
}
#endif

#endif
