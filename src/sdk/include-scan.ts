// Transitive #include scanner used by occlum-cc to decide which host files to mirror into
// @yowasp/clang's in-memory file tree (and which files a cached compile depends on).
//
// It is deliberately conservative: it does not evaluate the preprocessor, so headers named
// inside `#if 0` blocks or comments are mirrored too (harmless), while computed includes
// (`#include MACRO`) are not found (clang then reports the missing file as usual). Headers
// that are not found on the host are assumed to come from the sysroot and are skipped.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file or directory, seen both from the host and from inside the virtual tree. */
export interface Loc {
  /** Absolute host path. */
  host: string;
  /** Absolute POSIX path inside the virtual tree. */
  virt: string;
}

export interface ScanDirs {
  /** `-iquote` directories: searched for `#include "..."` only, after the includer's directory. */
  quote: Loc[];
  /** `-I`, `-isystem`, `-idirafter` directories, in clang's search order. */
  angle: Loc[];
}

export interface ScanResult {
  /** Every file found (roots included), keyed by virtual path. */
  files: Map<string, { host: string; data: Buffer }>;
}

const INCLUDE_RE =
  /^[ \t]*#[ \t]*(?:include|include_next|import)[ \t]*([<"])([^">\r\n]+)[">]|__has_include(?:_next)?[ \t]*\([ \t]*([<"])([^">\r\n]+)[">]/gm;

/** Parses the include directives of a C/C++ source text: [quoted?, name] pairs. */
export function parseIncludes(text: string): Array<{ quoted: boolean; name: string }> {
  const out: Array<{ quoted: boolean; name: string }> = [];
  for (const m of text.matchAll(INCLUDE_RE)) {
    const delim = m[1] ?? m[3];
    const name = (m[2] ?? m[4] ?? '').trim();
    if (name !== '') out.push({ quoted: delim === '"', name });
  }
  return out;
}

function isFile(p: string, cache: Map<string, boolean>): boolean {
  let r = cache.get(p);
  if (r === undefined) {
    try {
      r = fs.statSync(p).isFile();
    } catch {
      r = false;
    }
    cache.set(p, r);
  }
  return r;
}

/**
 * Follows includes from `roots` transitively. Every existing candidate location of a header
 * is mirrored (not only the first), so that `#include_next` and search-order subtleties
 * behave exactly as clang decides them. `virtToHost` maps a normalized virtual path back to
 * the host; a candidate whose virtual and host resolutions disagree (a `..` that climbs
 * above the virtual root) is skipped.
 */
export function scanIncludes(
  roots: Loc[],
  dirs: ScanDirs,
  virtToHost: (virt: string) => string | null,
  inline: Array<{ dir: Loc; data: Uint8Array }> = [],
): ScanResult {
  const files = new Map<string, { host: string; data: Buffer }>();
  const statCache = new Map<string, boolean>();
  const queue: Array<Loc | { dir: Loc; data: Uint8Array }> = [...roots, ...inline];
  while (queue.length > 0) {
    const item = queue.pop() as Loc | { dir: Loc; data: Uint8Array };
    let data: Buffer;
    let here: Loc;
    if ('dir' in item) {
      // Text without a file of its own (standard input): includes resolve against `dir`.
      data = Buffer.from(item.data);
      here = item.dir;
    } else {
      const loc = item;
      if (files.has(loc.virt)) continue;
      try {
        data = fs.readFileSync(loc.host);
      } catch {
        continue;
      }
      files.set(loc.virt, { host: loc.host, data });
      here = { host: path.dirname(loc.host), virt: path.posix.dirname(loc.virt) };
    }
    // Binary inputs (objects, archives) have no includes; a NUL byte early on says "binary".
    if (data.subarray(0, 4096).includes(0)) continue;
    for (const inc of parseIncludes(data.toString('latin1'))) {
      if (path.isAbsolute(inc.name)) continue; // absolute includes name the virtual tree directly
      const candidates = inc.quoted ? [here, ...dirs.quote, ...dirs.angle] : dirs.angle;
      for (const dir of candidates) {
        const host = path.resolve(dir.host, inc.name);
        const virt = path.posix.normalize(path.posix.join(dir.virt, inc.name));
        if (virtToHost(virt) !== host) continue;
        if (files.has(virt) || !isFile(host, statCache)) continue;
        queue.push({ host, virt });
      }
    }
  }
  return { files };
}
