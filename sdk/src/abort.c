/*
 * abort(), replacing libc.a's abort.c.obj (which only traps).
 *
 * As on Linux, abort() raises SIGABRT: a handler installed with sigaction/signal runs, and the
 * process then ends as killed by SIGABRT. That part lives in signal.c (__occlum_abort_hook) and
 * is referenced weakly: almost every program links abort (printf's code references it), and a
 * program that never touches signals must not import `linux` functions because of it. Such a
 * program cannot have a SIGABRT handler, so it just traps; the exported __occlum_trap_signal
 * tells the runtime that this trap is abort()'s, so it can report SIGABRT rather than SIGILL.
 */
#include <signal.h>
#include <stdlib.h>
#include "internal.h"

void __occlum_abort_hook(void) __attribute__((weak));

static volatile int trap_signal;

__attribute__((used, export_name("__occlum_trap_signal")))
int __occlum_trap_signal(void)
{
	return trap_signal;
}

_Noreturn void abort(void)
{
	if (__occlum_abort_hook) __occlum_abort_hook();
	trap_signal = SIGABRT;
	__builtin_trap();
}
