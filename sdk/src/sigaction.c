/*
 * sigaction and the signal trampoline.
 *
 * __occlum_signal_entry is exported from every program that links this object, i.e. every
 * program that can install a handler (signal(), sigset()... all go through sigaction()), and
 * only those. The runtime calls it when a syscall returns with a signal pending; it asks the
 * kernel for each caught signal in turn (`linux.sigdeliver`, which blocks the handler's mask and
 * fills k_siginfo/k_sigaction), runs the handler, and tells the kernel it returned
 * (`linux.sigreturn`, which restores the mask). Default actions never reach the program.
 *
 * Handler encoding for the kernel: 0 = SIG_DFL, 1 = SIG_IGN, otherwise the function's table
 * index; a real handler that happens to sit at table index 1 is passed as HANDLER_AT_1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

#define HANDLER_AT_1 0xffffffffu

static uint32_t to_kernel(void (*h)(int))
{
	if (h == SIG_DFL) return L_SIG_DFL;
	if (h == SIG_IGN) return L_SIG_IGN;
	if ((uintptr_t)h == 1) return HANDLER_AT_1;
	return (uint32_t)(uintptr_t)h;
}

static void (*from_kernel(uint32_t h))(int)
{
	if (h == L_SIG_DFL) return SIG_DFL;
	if (h == L_SIG_IGN) return SIG_IGN;
	if (h == HANDLER_AT_1) return (void (*)(int))(uintptr_t)1;
	return (void (*)(int))(uintptr_t)h;
}

int sigaction(int sig, const struct sigaction *restrict sa, struct sigaction *restrict old)
{
	struct k_sigaction ksa, kold;
	if (sa) {
		if (sa->sa_handler == SIG_ERR) {
			errno = EINVAL;
			return -1;
		}
		memset(&ksa, 0, sizeof ksa);
		ksa.handler = to_kernel(sa->sa_handler);
		ksa.flags = (uint32_t)sa->sa_flags & ~(uint32_t)SA_RESTORER;
		ksa.mask = __occlum_sigset_get(&sa->sa_mask);
	}
	int r = __linux_rt_sigaction(sig, sa ? &ksa : NULL, old ? &kold : NULL);
	if (r < 0) return __occlum_ret(r);
	if (old) {
		memset(old, 0, sizeof *old);
		old->sa_handler = from_kernel(kold.handler);
		old->sa_flags = (int)kold.flags;
		__occlum_sigset_put(&old->sa_mask, kold.mask);
	}
	return 0;
}

__attribute__((export_name("__occlum_signal_entry")))
void __occlum_signal_entry(void)
{
	int saved_errno = errno;
	for (;;) {
		struct k_siginfo ki;
		struct k_sigaction ka;
		int sig = __linux_sigdeliver(&ki, &ka);
		if (sig <= 0) break;
		void (*h)(int) = from_kernel(ka.handler);
		if (h != SIG_DFL && h != SIG_IGN) {
			if (ka.flags & SA_SIGINFO) {
				siginfo_t si;
				memset(&si, 0, sizeof si);
				si.si_signo = ki.signo;
				si.si_errno = ki.errno_;
				si.si_code = ki.code;
				si.si_pid = ki.pid;
				si.si_uid = ki.uid;
				if (ki.signo == SIGCHLD) si.si_status = ki.status;
				else si.si_value.sival_int = ki.value;
				((void (*)(int, siginfo_t *, void *))(void (*)(void))h)(sig, &si, NULL);
			} else {
				h(sig);
			}
		}
		__linux_sigreturn();
	}
	errno = saved_errno;
}

/* abort(): raise SIGABRT (a handler may run), then make sure it is fatal (musl's sequence). */
void __occlum_abort_hook(void)
{
	int self = __linux_getpid();
	__linux_kill(self, SIGABRT);
	uint64_t all = ~(uint64_t)0, abrt = (uint64_t)1 << (SIGABRT - 1);
	__linux_rt_sigprocmask(SIG_BLOCK, &all, NULL);
	struct k_sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	__linux_rt_sigaction(SIGABRT, &dfl, NULL);
	__linux_kill(self, SIGABRT);
	__linux_rt_sigprocmask(SIG_UNBLOCK, &abrt, NULL);
}
