import assert from "node:assert/strict";
import { test } from "node:test";
import { FutexResult, native } from "../../src/native/index.ts";
import { startFixture } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";

test("a futex wake in one process wakes a waiter in another", async (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("word", 64);
  const word = segment.int32(0, 1);
  const waiter = startFixture(t, "shm/fixtures/futex-waiter.ts", [run.directory, "word", "20000"]);
  assert.equal(await waiter.nextLine(), "waiting");
  // The child printed before it slept; give it time to enter the kernel, then
  // wake until it reports (a wake before it sleeps finds the value changed).
  Atomics.store(word, 0, 1);
  let woken = 0;
  const deadline = Date.now() + 10_000;
  const reported = waiter.nextLine();
  while (woken === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    woken = native.futexWake(segment.buffer, segment.payloadOffset, 1);
    if (woken === 0 && waiter.child.exitCode !== null) break;
  }
  const line = await reported;
  assert.match(line, /^(woken|valueChanged) 1$/);
  assert.deepEqual(await waiter.exited, { code: 0, signal: null });
});

test("the waker reports how many it woke, and a woken waiter says woken", async (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("word", 64);
  const waiter = startFixture(t, "shm/fixtures/futex-waiter.ts", [run.directory, "word", "20000"]);
  assert.equal(await waiter.nextLine(), "waiting");
  // Without changing the value, only a real wake (not a value change) ends the wait.
  let woken = 0;
  while (woken === 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    woken = native.futexWake(segment.buffer, segment.payloadOffset, 1);
  }
  assert.equal(woken, 1);
  assert.equal(await waiter.nextLine(), "woken 0");
});

test("a wait times out when nobody wakes it", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("word", 64);
  const started = native.monotonicNs();
  const result = native.futexWait(segment.buffer, segment.payloadOffset, 0, 30e6);
  const elapsedMs = (native.monotonicNs() - started) / 1e6;
  assert.equal(result, FutexResult.timedOut);
  assert.ok(elapsedMs >= 29, `returned after ${elapsedMs} ms, before its 30 ms timeout`);
});

test("a wait on a word that already changed returns at once", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("word", 64);
  Atomics.store(segment.int32(0, 1), 0, 5);
  assert.equal(native.futexWait(segment.buffer, segment.payloadOffset, 4, 5e9), FutexResult.valueChanged);
});

test("an unaligned or out-of-range futex word is refused", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("word", 64);
  assert.throws(() => native.futexWait(segment.buffer, 2, 0, 1), /not a 4-byte-aligned offset inside the buffer/);
  assert.throws(() => native.futexWake(segment.buffer, segment.buffer.byteLength, 1), /inside the buffer/);
});
