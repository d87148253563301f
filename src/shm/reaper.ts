// Finds run directories whose creator is gone (SIGKILL, power loss of a
// container, a crashed driver) and removes them; live runs are left alone.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "./process-identity.ts";
import { RUN_DIR_PREFIX, readRunOwner, removeRunDirectory, shmRoot } from "./run-directory.ts";

/** A directory without an owner file this old is a run that died while being created. */
const OWNERLESS_GRACE_MS = 10_000;

export interface RunStatus {
  directory: string;
  runId: string;
  pid: number | undefined;
  alive: boolean;
  bytes: number;
  files: number;
}

function sizeOf(directory: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(directory)) {
    try {
      bytes += statSync(join(directory, name)).size;
      files++;
    } catch {
      // Removed while we looked: its run is ending.
    }
  }
  return { bytes, files };
}

export function listRuns(root = shmRoot()): RunStatus[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const runs: RunStatus[] = [];
  for (const name of names) {
    if (!name.startsWith(RUN_DIR_PREFIX)) continue;
    const directory = join(root, name);
    let modified: number;
    try {
      const status = statSync(directory);
      if (!status.isDirectory()) continue;
      modified = status.mtimeMs;
    } catch {
      continue;
    }
    const owner = readRunOwner(directory);
    const alive = owner === undefined ? Date.now() - modified < OWNERLESS_GRACE_MS : isProcessAlive(owner);
    runs.push({
      directory,
      runId: owner?.runId ?? name.slice(RUN_DIR_PREFIX.length),
      pid: owner?.pid,
      alive,
      ...sizeOf(directory),
    });
  }
  return runs;
}

/** Removes (or with dryRun only lists) the runs whose creator is dead. */
export function reapDeadRuns(options: { dryRun: boolean; root?: string }): RunStatus[] {
  const dead = listRuns(options.root).filter((run) => !run.alive);
  if (!options.dryRun) {
    for (const run of dead) removeRunDirectory(run.directory);
  }
  return dead;
}
