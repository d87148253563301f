// What tests of `conflux run` share: a scratch directory of their own, removed
// when the test ends, and the one run record a run wrote into a results directory.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-cli-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** The record directory of the one run in `results`; fails the test when there is none or more. */
export function onlyRecord(results: string): string {
  const entries = readdirSync(results);
  assert.equal(entries.length, 1, `one run record in ${results}: ${entries.join(", ")}`);
  return join(results, entries[0] as string);
}
