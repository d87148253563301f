// A run owns one directory on tmpfs, <root>/conflux-<run id>/ (mode 0700); every
// segment of the run is a file in it, and an owner file names the creating
// process so that a reaper can tell a live run from a dead one.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentProcessIdentity, type ProcessIdentity } from "./process-identity.ts";
import { noRoomFor } from "./space.ts";

export const RUN_DIR_PREFIX = "conflux-";
export const OWNER_FILE = "owner.json";
export const REGISTRY_FILE = "registry";

/** Where run directories live: /dev/shm unless CONFLUX_SHM_ROOT says otherwise. */
export function shmRoot(): string {
  return process.env.CONFLUX_SHM_ROOT ?? "/dev/shm";
}

/** 16 hex characters: 64 random bits, so two runs never share a directory. */
export function newRunId(): string {
  return randomBytes(8).toString("hex");
}

export function runDirectoryPath(runId: string, root = shmRoot()): string {
  return join(root, `${RUN_DIR_PREFIX}${runId}`);
}

export interface RunOwner extends ProcessIdentity {
  runId: string;
  createdUnixMs: number;
}

/** Makes the directory (it must not exist) and its owner file. */
export function createRunDirectory(runId: string, root = shmRoot()): string {
  const directory = runDirectoryPath(runId, root);
  mkdirSync(directory, { mode: 0o700 });
  const owner: RunOwner = { runId, createdUnixMs: Date.now(), ...currentProcessIdentity() };
  const ownerFile = join(directory, OWNER_FILE);
  const text = `${JSON.stringify(owner)}\n`;
  try {
    writeFileSync(ownerFile, text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Measured before the directory goes: its file system is the one without room.
    const full = (error as NodeJS.ErrnoException).code === "ENOSPC";
    const failure = full ? noRoomFor("the run's owner file", ownerFile, text.length) : error;
    removeRunDirectory(directory);
    throw failure;
  }
  return directory;
}

/** The owner of a run directory, or undefined when its owner file is missing or unreadable. */
export function readRunOwner(directory: string): RunOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(directory, OWNER_FILE), "utf8")) as Partial<RunOwner>;
    if (typeof owner.pid !== "number" || typeof owner.runId !== "string") return undefined;
    return {
      pid: owner.pid,
      startTicks: owner.startTicks ?? 0,
      runId: owner.runId,
      createdUnixMs: owner.createdUnixMs ?? 0,
    };
  } catch {
    return undefined;
  }
}

export function removeRunDirectory(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}

/** A random file name for a segment: names inside a run are never guessable. */
export function newSegmentFileName(): string {
  return `seg-${randomBytes(6).toString("hex")}`;
}
