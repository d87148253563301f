// How long a VM guest takes here and now to come up and reach its component,
// and the waits of the VM tests, derived from it instead of fixed. Measured once
// per test file (the first test that asks pays one guest's start) the way the
// slowest of those tests waits for a guest: a supervisor process of its own
// (test/enclave/fixtures/supervisor.ts) launches the endless TypeScript
// component in a VM enclave and prints once the component has printed. That
// covers node and tsx starting, the image found and hashed by a fresh process,
// QEMU, the guest's kernel, its agent and node in the guest. A test that waits
// longer than it should tells what it measured (observe), so a machine that
// gets busier as the file runs raises the waits after it.
//
// A wait is WAIT_FACTOR times the longest start seen in this file. The factor
// is more than 3, and covers the suite's load: it runs two test files at a
// time on two cores, and the VM contract runs two guests at once, so a start
// measured while the machine was quieter can take twice as long later.
import type { TestContext } from "node:test";
import { native } from "../../src/native/index.ts";
import { startFixture } from "./child-process.ts";

export const WAIT_FACTOR = 4;

let measured: Promise<number> | undefined;
let longestMs = 0;

/** A supervisor's start of a VM guest, ms: from spawning it to its "pid" line, which it prints once its component runs. */
async function measureOnce(t: TestContext): Promise<number> {
  const started = performance.now();
  const supervisor = startFixture(t, "enclave/fixtures/supervisor.ts", ["vm", "/nonexistent-run"]);
  // No wait of our own: the enclave ends a guest that does not start its component within its
  // boot timeout, and the supervisor dies with it, which ends this wait.
  const line = await supervisor.nextLine(Number.POSITIVE_INFINITY);
  const ms = performance.now() - started;
  const pid = Number(/^pid (\d+)$/.exec(line)?.[1]);
  supervisor.child.stdin?.write("exit\n");
  await supervisor.exited;
  // QEMU dies with its supervisor; should it not have, it must not outlive the test.
  if (pid > 0 && native.isAlive(pid)) process.kill(pid, "SIGKILL");
  t.diagnostic(`a guest reached its component ${Math.round(ms)} ms after its supervisor was spawned`);
  return ms;
}

/** The longest start of a guest seen in this test file, ms (the first call boots one). */
export async function guestStartMs(t: TestContext): Promise<number> {
  measured ??= measureOnce(t);
  return Math.max(await measured, longestMs);
}

/** Records a start a test measured itself (the same path: a supervisor to its component's first line). */
export function observeGuestStart(ms: number): void {
  longestMs = Math.max(longestMs, ms);
}

/** How long a test may wait for a guest to start and reach its component, ms. */
export async function guestWaitMs(t: TestContext): Promise<number> {
  return Math.ceil(WAIT_FACTOR * (await guestStartMs(t)));
}
