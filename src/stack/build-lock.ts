// stack/ owns container root filesystems: stack specs, their content hash, debootstrap builds and the store.
// It must not launch components: a container enclave receives a built root's path and nothing else.

// One build of a stack at a time in a store: two `conflux stack build`s of the
// same spec (two test files, two terminals) would otherwise both debootstrap
// it, a minute or more each on two cores, and one would throw its tree away.
// The lock is a file made with O_EXCL holding its builder's pid; a waiter
// polls it, and takes over a lock whose builder has died (killed mid-build).
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { native } from "../native/index.ts";

const POLL_MS = 500;

/** Runs `build` holding the store's lock for stack `hash`; `onWait` is told once when another build holds it. */
export async function withBuildLock<T>(
  directory: string,
  hash: string,
  build: () => Promise<T>,
  onWait?: (pid: number) => void,
): Promise<T> {
  const path = join(directory, `.lock-${hash.slice(0, 16)}`);
  let told = false;
  for (;;) {
    try {
      const descriptor = openSync(path, "wx", 0o600);
      writeSync(descriptor, `${process.pid}\n`);
      closeSync(descriptor);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = lockHolder(path);
    if (holder === undefined || !native.isAlive(holder)) {
      rmSync(path, { force: true }); // its builder died, or is between making the file and writing its pid
      if (holder === undefined) await sleep(50);
      continue;
    }
    if (!told) onWait?.(holder);
    told = true;
    await sleep(POLL_MS);
  }
  try {
    return await build();
  } finally {
    rmSync(path, { force: true });
  }
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
