/* wait, waitpid, wait3, wait4, waitid on the kernel's `linux.wait4` (Linux status encoding). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "internal.h"

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	/* The kernel does not account resource usage yet: report zeros. */
	if (ru) memset(ru, 0, sizeof *ru);
	return __occlum_ret(__linux_wait4(pid, status, options, NULL));
}

pid_t wait3(int *status, int options, struct rusage *ru)
{
	return wait4(-1, status, options, ru);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return __occlum_ret(__linux_wait4(pid, status, options, NULL));
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	pid_t pid;
	switch (type) {
	case P_ALL: pid = -1; break;
	case P_PID: pid = (pid_t)id; break;
	case P_PGID: pid = id ? -(pid_t)id : 0; break;
	default: errno = EINVAL; return -1;
	}
	/* WNOWAIT (leave the child waitable) has no kernel support yet. */
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)) || (options & ~(WEXITED | WSTOPPED | WCONTINUED | WNOHANG))) {
		errno = EINVAL;
		return -1;
	}
	if (!(options & WEXITED)) {
		errno = EINVAL; /* waiting for stops or continues only: not expressible with wait4 */
		return -1;
	}
	int st = 0;
	int w4 = (options & WNOHANG ? WNOHANG : 0) | (options & WSTOPPED ? WUNTRACED : 0)
		| (options & WCONTINUED ? WCONTINUED : 0);
	pid_t r = waitpid(pid, &st, w4);
	if (r < 0) return -1;
	if (info) {
		memset(info, 0, sizeof *info);
		if (r > 0) {
			info->si_signo = SIGCHLD;
			info->si_pid = r;
			info->si_uid = 0;
			if (WIFEXITED(st)) {
				info->si_code = CLD_EXITED;
				info->si_status = WEXITSTATUS(st);
			} else if (WIFSIGNALED(st)) {
				info->si_code = WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
				info->si_status = WTERMSIG(st);
			} else if (WIFSTOPPED(st)) {
				info->si_code = CLD_STOPPED;
				info->si_status = WSTOPSIG(st);
			} else {
				info->si_code = CLD_CONTINUED;
				info->si_status = SIGCONT;
			}
		}
	}
	return 0;
}
