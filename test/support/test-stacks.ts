// The stacks directory of the suite's tests. test/run.js names one for the
// whole suite run (CONFLUX_TEST_STACKS) and removes it at the end, so a spec
// that two test files build (the numpy 2 stack of conflicting-stacks, which the
// LAMMPS example's analysis runs on too) is built once per run; the store lets
// one build of a spec run at a time, and the other waits and reuses it. A test
// file run on its own gets a directory of its own, removed when it ends.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

export const TEST_STACKS_VARIABLE = "CONFLUX_TEST_STACKS";

export function testStacksDirectory(): string {
  const shared = process.env[TEST_STACKS_VARIABLE];
  if (shared !== undefined && shared !== "") {
    mkdirSync(shared, { recursive: true });
    return shared;
  }
  const own = mkdtempSync(join(tmpdir(), "conflux-stacks-test-"));
  after(() => rmSync(own, { recursive: true, force: true }));
  return own;
}
