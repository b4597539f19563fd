/*
 * occlum.h - occlum-ts SDK marker header.
 *
 * occlum-cc / occlum-c++ put <repo>/sdk/include on the include path ahead of the
 * wasm32-wasip1 sysroot, so programs can test for the LibOS with:
 *
 *     #include <occlum.h>
 *     #if OCCLUM_TS ... #endif
 *
 * The POSIX headers that wasi-libc lacks or gets wrong (signal.h, sys/wait.h, spawn.h,
 * termios.h, ...) live next to this file; see sdk/README.md.
 */
#ifndef OCCLUM_H
#define OCCLUM_H

#define OCCLUM_TS 1

#endif /* OCCLUM_H */
