// A segment root of the test's own (CONFLUX_SHM_ROOT), on the same tmpfs as
// /dev/shm and removed when the test ends: a test that kills drivers or runs a
// real `conflux clean` there can neither reap nor be reaped by the runs of
// tests running beside it.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";

export const SHM_ROOT_VARIABLE = "CONFLUX_SHM_ROOT";

/**
 * Its name does not start with "conflux-", the run directories' prefix: a
 * reaper in /dev/shm would take an ownerless "conflux-…" directory for a run
 * that died while being created and remove it.
 */
export function privateShmRoot(t: TestContext): string {
  const root = mkdtempSync(join("/dev/shm", "confluxtest-root-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}
