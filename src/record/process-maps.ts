// What a running process has actually loaded, read from the kernel rather than
// from a package manager: its executable (/proc/<pid>/exe) and every file it
// has mapped (/proc/<pid>/maps) — the dynamic loader, libc, every shared
// library including those opened with dlopen, native addons, locale data.
import { readFileSync, readlinkSync } from "node:fs";

export interface LoadedImage {
  /** The executable's path as the process sees it. */
  executable?: string;
  /** Every mapped regular file other than the executable and the excluded places, in the order first mapped. */
  files: string[];
  /** Mapped files that were deleted or replaced after the process mapped them. */
  replaced: string[];
  /**
   * Where this process must read the files: "" when the process shares our
   * mount namespace, else /proc/<pid>/root (a container's own root).
   */
  root: string;
}

const DELETED = " (deleted)";

/**
 * Reads the loaded image of process `pid`. `exclude` lists directory prefixes
 * whose files are not code (the run's shared-memory segments); /dev is always
 * excluded. Throws when the process is gone or not ours to read.
 */
export function loadedImage(pid: number, exclude: readonly string[] = []): LoadedImage {
  const maps = readFileSync(`/proc/${pid}/maps`, "utf8");
  let executable: string | undefined;
  try {
    executable = readlinkSync(`/proc/${pid}/exe`);
    if (executable.endsWith(DELETED)) executable = executable.slice(0, -DELETED.length);
  } catch {
    // a kernel thread or a process that just ended: no executable to name
  }
  const skip = ["/dev/", ...exclude.map((prefix) => (prefix.endsWith("/") ? prefix : `${prefix}/`))];
  const seen = new Set<string>();
  const files: string[] = [];
  const replaced: string[] = [];
  for (const line of maps.split("\n")) {
    // address perms offset dev inode path — the path may itself contain spaces.
    const path = /^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\/.*)$/.exec(line)?.[1];
    if (path === undefined) continue;
    const deleted = path.endsWith(DELETED);
    const file = deleted ? path.slice(0, -DELETED.length) : path;
    if (seen.has(file) || file === executable || skip.some((prefix) => file.startsWith(prefix))) continue;
    seen.add(file);
    files.push(file);
    if (deleted) replaced.push(file);
  }
  return { ...(executable === undefined ? {} : { executable }), files, replaced, root: rootOf(pid) };
}

function rootOf(pid: number): string {
  try {
    const same =
      readlinkSync(`/proc/${pid}/ns/mnt`) === readlinkSync("/proc/self/ns/mnt") &&
      readlinkSync(`/proc/${pid}/root`) === "/";
    return same ? "" : `/proc/${pid}/root`;
  } catch {
    return "";
  }
}
