// A pid alone can be reused after its process dies; (pid, start time) cannot.
// The start time is field 22 of /proc/<pid>/stat, in clock ticks since boot.
import { readFileSync } from "node:fs";
import { native } from "../native/index.ts";

export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

export function processStartTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0 };
}

/** True while the very process named by `identity` runs (not a later one with its pid). */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  if (!native.isAlive(identity.pid)) return false;
  const ticks = processStartTicks(identity.pid);
  return ticks === undefined || identity.startTicks === 0 || ticks === identity.startTicks;
}
