import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

/** The futex system call's number, which /proc/<pid>/syscall shows first while a thread sleeps in it. */
const FUTEX_SYSCALL = process.arch === "arm64" ? 98 : 202;

/** Resolves once the main thread of `pid` sleeps in futex(), or rejects after `timeoutMs`. */
async function sleepingInFutex(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const syscall = readFileSync(`/proc/${pid}/syscall`, "utf8");
    if (syscall.startsWith(`${FUTEX_SYSCALL} `)) return;
    if (Date.now() > deadline) throw new Error(`pid ${pid} never slept in futex(); /proc says "${syscall.trim()}"`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("a process waiting for a name is woken when another process registers it", async (t) => {
  const run = scratchRun(t);
  // The peer sleeps on the registry's generation word with a 600 s timeout: if
  // registering did not wake it, its line would not come within nextLine's 20 s.
  const peer = startFixture(t, "shm/fixtures/name-waiter.ts", [run.directory, "late"]);
  assert.equal(await peer.nextLine(), "waiting");
  await sleepingInFutex(peer.child.pid ?? 0, 20_000);
  run.createSegment("late", 24);
  assert.equal(await peer.nextLine(), "found late");
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
