/* sysinfo (declared by wasi-libc but never defined) on the kernel's `linux.sysinfo`. */
#include <string.h>
#include <sys/sysinfo.h>
#include "internal.h"

int sysinfo(struct sysinfo *info)
{
	struct k_sysinfo k;
	int r = __linux_sysinfo(&k);
	if (r < 0) return __occlum_ret(r);
	memset(info, 0, sizeof *info);
	info->uptime = k.uptime;
	for (int i = 0; i < 3; i++) info->loads[i] = k.loads[i];
	info->totalram = k.totalram;
	info->freeram = k.freeram;
	info->sharedram = k.sharedram;
	info->bufferram = k.bufferram;
	info->totalswap = k.totalswap;
	info->freeswap = k.freeswap;
	info->procs = k.procs;
	info->totalhigh = k.totalhigh;
	info->freehigh = k.freehigh;
	info->mem_unit = k.mem_unit;
	return 0;
}
