/* Linux errno numbers (what the `linux` imports return) -> wasi-libc's errno values. */
#include "internal.h"

static const unsigned char linux_to_wasi[134] = {
	[1] = EPERM, [2] = ENOENT, [3] = ESRCH, [4] = EINTR, [5] = EIO, [6] = ENXIO, [7] = E2BIG,
	[8] = ENOEXEC, [9] = EBADF, [10] = ECHILD, [11] = EAGAIN, [12] = ENOMEM, [13] = EACCES,
	[14] = EFAULT, [15] = EINVAL /* ENOTBLK */, [16] = EBUSY, [17] = EEXIST, [18] = EXDEV,
	[19] = ENODEV, [20] = ENOTDIR, [21] = EISDIR, [22] = EINVAL, [23] = ENFILE, [24] = EMFILE,
	[25] = ENOTTY, [26] = ETXTBSY, [27] = EFBIG, [28] = ENOSPC, [29] = ESPIPE, [30] = EROFS,
	[31] = EMLINK, [32] = EPIPE, [33] = EDOM, [34] = ERANGE, [35] = EDEADLK, [36] = ENAMETOOLONG,
	[37] = ENOLCK, [38] = ENOSYS, [39] = ENOTEMPTY, [40] = ELOOP, [42] = ENOMSG, [43] = EIDRM,
	[61] = ENOMSG /* ENODATA */, [62] = ETIMEDOUT /* ETIME */, [67] = ENOLINK, [71] = EPROTO,
	[72] = EMULTIHOP, [74] = EBADMSG, [75] = EOVERFLOW, [84] = EILSEQ, [88] = ENOTSOCK,
	[89] = EDESTADDRREQ, [90] = EMSGSIZE, [91] = EPROTOTYPE, [92] = ENOPROTOOPT,
	[93] = EPROTONOSUPPORT, [94] = EPROTONOSUPPORT /* ESOCKTNOSUPPORT */, [95] = EOPNOTSUPP,
	[96] = EAFNOSUPPORT /* EPFNOSUPPORT */, [97] = EAFNOSUPPORT, [98] = EADDRINUSE,
	[99] = EADDRNOTAVAIL, [100] = ENETDOWN, [101] = ENETUNREACH, [102] = ENETRESET,
	[103] = ECONNABORTED, [104] = ECONNRESET, [105] = ENOBUFS, [106] = EISCONN, [107] = ENOTCONN,
	[108] = EPIPE /* ESHUTDOWN */, [110] = ETIMEDOUT, [111] = ECONNREFUSED,
	[112] = EHOSTUNREACH /* EHOSTDOWN */, [113] = EHOSTUNREACH, [114] = EALREADY,
	[115] = EINPROGRESS, [116] = ESTALE, [122] = EDQUOT, [125] = ECANCELED, [130] = EOWNERDEAD,
	[131] = ENOTRECOVERABLE,
};

int __occlum_errno(int e)
{
	if (e > 0 && e < (int)sizeof linux_to_wasi && linux_to_wasi[e] != 0) return linux_to_wasi[e];
	return EIO;
}
