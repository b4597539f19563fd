// unionfs on-disk markers, aufs-style, so that any upper file system (files, dirs, symlinks only;
// no xattrs, no 0/0 device nodes) can hold them and they persist with it:
//   `.wh.<name>`      whiteout: <name> is deleted; hides it in every layer below
//   `.wh..wh..opq`    in a directory: the directory is opaque (hides the same directory below)
//   `.wh..wh.tmp.<n>` a file being copied up (renamed over its final name when complete)
// Every name starting with `.wh.` is reserved: programs never see one (readdir, lookup: ENOENT)
// and cannot create one (EINVAL), so a marker can never be confused with a program's file.

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
const TEMP_PREFIX = '.wh..wh.tmp.';

export function isReserved(name: string): boolean { return name.startsWith(WHITEOUT_PREFIX); }

export function whiteoutOf(name: string): string { return WHITEOUT_PREFIX + name; }

/** The name a whiteout entry hides, or undefined if `entry` is not a whiteout (or is another marker). */
export function whitedOut(entry: string): string | undefined {
  if (!entry.startsWith(WHITEOUT_PREFIX) || entry.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return undefined;
  return entry.slice(WHITEOUT_PREFIX.length);
}

let tempSeq = 0;
/** A fresh reserved name for a copy-up in progress. */
export function tempName(): string { return `${TEMP_PREFIX}${Date.now().toString(36)}.${(tempSeq++).toString(36)}`; }
