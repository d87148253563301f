// The tar entries of a directory tree (a stack's root filesystem), walked in
// sorted order. Modes are kept (a stack's setuid bits and executables matter);
// owners become root, as the stack is used read-only by whoever runs it.
// Hard links within the tree stay links; devices, sockets and fifos are left
// out, since every container is given a fresh /dev.
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { TarEntry } from "./deterministic-tar.ts";

/**
 * Entries for the tree at `root`, named relative to it. `only`, when given, limits them to those paths and
 * their parents; `except` leaves those paths out, and with them the directories that held nothing else (made
 * only to hold them), so a stack's tree without its spec's files is its Debian base exactly.
 */
export function treeEntries(root: string, only?: readonly string[], except?: readonly string[]): TarEntry[] {
  const entries: TarEntry[] = [];
  const firstByInode = new Map<string, string>();
  const wanted = only === undefined ? undefined : new Set(only.flatMap(withParents));
  const left = new Set((except ?? []).map((path) => path.replace(/^\/+/, "")));
  /** Walks `relative`; says whether it left anything out and whether it wrote anything else. */
  const walk = (relative: string): { leftOut: boolean; wrote: boolean } => {
    let leftOut = false;
    let wrote = false;
    const names = readdirSync(relative === "" ? root : join(root, relative)).sort();
    for (const name of names) {
      const path = relative === "" ? name : `${relative}/${name}`;
      if (wanted !== undefined && !wanted.has(path)) continue;
      if (left.has(path)) {
        leftOut = true;
        continue;
      }
      const full = join(root, path);
      const stat = lstatSync(full);
      const mode = stat.mode & 0o7777;
      if (stat.isDirectory()) {
        const at = entries.length;
        entries.push({ kind: "directory", path, mode });
        const inside = walk(path);
        // A directory that only held what is left out was made for it: it goes with it.
        if (inside.leftOut && !inside.wrote) entries.splice(at, 1);
        else wrote = true;
        leftOut ||= inside.leftOut;
      } else if (stat.isSymbolicLink()) {
        entries.push({ kind: "symlink", path, target: readlinkSync(full) });
        wrote = true;
      } else if (stat.isFile()) {
        const inode = `${stat.dev}:${stat.ino}`;
        const first = stat.nlink > 1 ? firstByInode.get(inode) : undefined;
        if (first !== undefined) entries.push({ kind: "hardlink", path, target: first });
        else {
          if (stat.nlink > 1) firstByInode.set(inode, path);
          entries.push({ kind: "file", path, mode, bytes: stat.size, from: full });
        }
        wrote = true;
      }
    }
    return { leftOut, wrote };
  };
  walk("");
  return entries;
}

function withParents(path: string): string[] {
  const parts = path.replace(/^\/+/, "").split("/");
  return parts.map((_, index) => parts.slice(0, index + 1).join("/"));
}
