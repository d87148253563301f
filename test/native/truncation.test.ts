// The addon's SIGBUS handler (native/truncation.cc): a mapping whose file is
// shrunk under it reads zeros instead of killing the process, and is marked in
// the flag words; closing it clears the mark; a SIGBUS that is no fault in a
// guarded mapping still ends the process, as it would without the handler.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { truncateSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { anyTruncated, firstTruncation, guardTruncated } from "../../src/shm/truncation.ts";
import { projectRoot } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";

function fileOf(directory: string, files: { name: string; file: string }[], name: string): string {
  const entry = files.find((segment) => segment.name === name);
  assert.ok(entry, `${name} is registered`);
  return join(directory, entry.file);
}

test("a mapped segment truncated to 0 reads zeros, is marked and named, and its mark goes with it", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("victim", 3 * 4096);
  const values = segment.float64(0, 1024 + 512);
  values.fill(2.5);
  assert.equal(anyTruncated(), false);
  truncateSync(fileOf(run.directory, run.segments(), "victim"), 0);
  assert.equal(values[1200], 0, "the page past the new end reads as zero, no SIGBUS");
  assert.equal(anyTruncated(), true);
  assert.equal(guardTruncated(segment.guard), true);
  values[1300] = 7;
  assert.equal(values[1300], 7, "and can be written (private zero pages)");
  assert.deepEqual(firstTruncation(false, run.directory), {
    name: "victim",
    path: segment.path,
    heldBytes: 0,
    bytes: segment.byteLength,
  });
  segment.close();
  assert.equal(anyTruncated(), false, "unmapping takes the mark away");
});

test("a shrink within the last page raises no SIGBUS; measuring finds it", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("short", 1000);
  truncateSync(fileOf(run.directory, run.segments(), "short"), segment.byteLength - 8);
  assert.equal(firstTruncation(false, run.directory), undefined, "no fault, no mark");
  assert.equal(firstTruncation(true, run.directory)?.heldBytes, segment.byteLength - 8);
});

test("a SIGBUS sent to the process (not a fault in a guarded mapping) still ends it", (t) => {
  const run = scratchRun(t);
  // The child maps a segment first, so that the handler is installed when the signal comes.
  const script = `import { native } from "./src/native/index.ts"; native.open(${JSON.stringify(join(run.directory, "registry"))}, false); process.kill(process.pid, "SIGBUS"); setTimeout(() => console.log("survived"), 200);`;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  assert.equal(child.signal, "SIGBUS", child.stdout + child.stderr);
  assert.doesNotMatch(child.stdout, /survived/);
});
