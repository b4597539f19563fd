/* occlum-ts SDK: <sys/vfs.h> = <sys/statfs.h>, as on Linux. */
#include <sys/statfs.h>
