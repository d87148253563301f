// What a path names on this host, asked without throwing: a path that is
// missing, or that this process may not look at, is neither a file nor a
// directory.
import { lstatSync, type Stats, statSync } from "node:fs";

/** Whether `path` names a regular file (through links). */
export function isFile(path: string): boolean {
  return statOf(path)?.isFile() === true;
}

/** Whether `path` names a directory (through links). */
export function isDirectory(path: string): boolean {
  return statOf(path)?.isDirectory() === true;
}

/** Whether anything is at `path`, a dangling link included. */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
