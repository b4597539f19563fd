/*
 * Linked (wasm-ld -r, by scripts/build-sdk.js) into libocclum's copy of wasi-libc's
 * preopens.c.obj, which otherwise only references __wasilibc_find_relpath_alloc weakly.
 * The strong reference makes every program that resolves paths through the preopens also
 * link cwd_state.c, i.e. resolve relative paths against the kernel's current directory.
 */
#include <stddef.h>

int __wasilibc_find_relpath_alloc(const char *, const char **, char **, size_t *, int);

__attribute__((used)) void *const __occlum_preopens_need_cwd = (void *)&__wasilibc_find_relpath_alloc;
