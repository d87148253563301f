import assert from "node:assert/strict";
import { test } from "node:test";
import { Run } from "../../src/shm/run.ts";
import { REGISTRY_CAPACITY } from "../../src/wire/registry.ts";
import { SegmentKind } from "../../src/wire/segment-header.ts";
import { startFixture } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";

test("the registry lists every segment of the run with where it lives", (t) => {
  const run = scratchRun(t);
  run.createSegment("appA.mesh", 1000, SegmentKind.mesh);
  run.createSegment("appB.mesh", 2000, SegmentKind.mesh);
  const names = run.segments().map((entry) => `${entry.name}:${entry.length}:${entry.kind}`);
  assert.deepEqual(names, ["appA.mesh:1256:3", "appB.mesh:2256:3"]);
  const entry = run.registry.lookup("appB.mesh");
  assert.match(entry?.file ?? "", /^seg-[0-9a-f]{12}$/);
  assert.equal(entry?.offset, 0);
  assert.equal(entry?.creatorPid, process.pid);
});

test("a name can be registered once; removing a segment frees its name", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("twice", 8);
  assert.throws(() => run.createSegment("twice", 8), /"twice" is already registered in this run/);
  run.removeSegment(segment);
  assert.equal(run.registry.lookup("twice"), undefined);
  run.createSegment("twice", 8);
});

test("a full registry says so and suggests the fix", (t) => {
  const run = scratchRun(t);
  for (let index = 0; index < REGISTRY_CAPACITY; index++)
    run.registry.register({ name: `n${index}`, file: "f", offset: 0, length: 1, kind: 0, creatorPid: 1 });
  assert.throws(
    () => run.createSegment("one-too-many", 8),
    /registry is full \(256 segments\).*Share fewer, larger segments/,
  );
});

test("names outside 1..96 bytes are refused", (t) => {
  const run = scratchRun(t);
  assert.throws(() => run.createSegment("", 8), /must be 1 to 96 bytes/);
  assert.throws(() => run.createSegment("x".repeat(97), 8), /must be 1 to 96 bytes of UTF-8; it is 97/);
});

test("a process waiting for a name is woken when another process registers it", async (t) => {
  const run = scratchRun(t);
  // The peer waits for "late" (futex on the registry's generation word).
  const peer = startFixture(t, "shm/fixtures/segment-peer.ts", [run.directory, "late"]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const segment = run.createSegment("late", 24);
  segment.float64(0, 1)[0] = 9;
  assert.equal(await peer.nextLine(), "read 9");
  assert.equal(await peer.nextLine(), "wrote");
  peer.child.stdin?.end("done\n");
  await peer.nextLine();
  assert.deepEqual(await peer.exited, { code: 0, signal: null });
});

test("waiting for a name that never comes times out with the names that exist", (t) => {
  const run = scratchRun(t);
  run.createSegment("present", 8);
  const member = Run.join(run.directory);
  t.after(() => member.close());
  assert.throws(
    () => member.openSegment("absent", { timeoutMs: 50 }),
    /no segment named "absent" .* within 50 ms; registered: present/,
  );
});

test("joining something that is not a run explains itself", () => {
  assert.throws(() => Run.join("/dev/shm/conflux-doesnotexist"), /cannot join run .*: it does not exist/);
  assert.throws(() => Run.fromEnvironment({}), /CONFLUX_RUN_DIR is not set/);
});
