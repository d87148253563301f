// Which C library a process runs on, and its version: found among the files
// the process has mapped (so it is the one actually loaded, not the one a
// package manager lists), and the version read from the library itself —
// glibc carries "GNU C Library (…) stable release version 2.36." in its bytes.
import { readFileSync } from "node:fs";
import { basename } from "node:path";

export interface CLibrary {
  /** glibc, musl, or none (a static executable, or a process whose libc we could not see). */
  family: "glibc" | "musl" | "none";
  path?: string;
  version?: string;
  /** glibc's own description of its build, e.g. "Debian GLIBC 2.36-9+deb12u4". */
  build?: string;
}

/** Reads larger files than this only to hash them, never to search them. */
const MAX_SEARCH_BYTES = 16 << 20;

/** `root` prefixes every path when the process lives in another mount namespace. */
export function cLibraryOf(mappedFiles: readonly string[], root = ""): CLibrary {
  for (const path of mappedFiles) {
    const name = basename(path);
    if (/^libc\.so(\.\d+)*$/.test(name) || /^libc-[\d.]+\.so$/.test(name)) {
      return { family: "glibc", path, ...glibcVersion(root + path) };
    }
    if (/^(ld-musl-.*\.so\.\d+|libc\.musl-.*\.so\.\d+)$/.test(name)) return { family: "musl", path };
  }
  return { family: "none" };
}

function glibcVersion(path: string): { version?: string; build?: string } {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_SEARCH_BYTES) return {};
    text = bytes.toString("latin1");
  } catch {
    return {};
  }
  const found = /GNU C Library \(([^)\n]{1,120})\)[^\n]{0,40}?version (\d+\.\d+(?:\.\d+)?)/.exec(text);
  return found === null ? {} : { version: found[2] as string, build: found[1] as string };
}
