#include <sys/stat.h>
#include "internal.h"

mode_t umask(mode_t mask)
{
	return (mode_t)__linux_umask(mask & 0777);
}
