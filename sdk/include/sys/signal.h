/* occlum-ts SDK: <sys/signal.h> is <signal.h> (without wasi-libc's #warning). */
#include <signal.h>
