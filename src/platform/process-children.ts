// A process's children, as /proc tells them: how a container enclave finds the
// process that runs the component under a pid namespace's init.
import { readdirSync, readFileSync } from "node:fs";

/** The first child of `pid`, or 0: from /proc/<pid>/task/<pid>/children, or by parent pid where the kernel lacks that file. */
export function firstChild(pid: number): number {
  try {
    return Number.parseInt(readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8"), 10) || 0;
  } catch {
    // no CONFIG_PROC_CHILDREN, or the process is gone
  }
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) return Number(entry);
    } catch {
      // ended while we looked
    }
  }
  return 0;
}
