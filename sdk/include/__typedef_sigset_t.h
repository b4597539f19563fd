/*
 * occlum-ts SDK: replaces wasi-libc's 1-byte placeholder sigset_t with musl's layout
 * (128 bytes, 1024 bits). Only the first 64 bits carry signals 1-64 (bit n-1 = signal n);
 * as little-endian memory, they are exactly the 8-byte signal set of the `linux` imports.
 * wasi-libc's own compiled code never touches sigset_t (every function that takes one,
 * e.g. pselect, is provided by libocclum), so this replacement is safe.
 */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef struct __sigset_t { unsigned long __bits[128 / sizeof(long)]; } sigset_t;

#endif
