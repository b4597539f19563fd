/* SIG_IGN's identity (see <signal.h>): a function that is never run as a handler. */
#include <signal.h>

void __occlum_SIG_IGN(int sig)
{
	(void)sig;
}
