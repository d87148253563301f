// The driver and signals: the listeners it adds for a run are gone once the run
// is over, however it ended, even when it never started; and once it has
// handled a SIGINT, later waits in the same process are not interrupted by it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCoupling } from "../../src/coupling/driver.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { startFixture } from "../support/child-process.ts";
import { SHM_ROOT_VARIABLE } from "../support/private-shm-root.ts";
import { seedPlan } from "./seed-plan.ts";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function listeners(): Record<string, number> {
  return Object.fromEntries(SIGNALS.map((signal) => [signal, process.listenerCount(signal)]));
}

const hooks = { buildOperator: setupNearestNeighbour, output: null };

test("a run whose directory cannot be created leaves no signal listener behind", async (t) => {
  const before = listeners();
  const root = process.env[SHM_ROOT_VARIABLE];
  process.env[SHM_ROOT_VARIABLE] = "/nonexistent-segment-root";
  t.after(() => {
    if (root === undefined) delete process.env[SHM_ROOT_VARIABLE];
    else process.env[SHM_ROOT_VARIABLE] = root;
  });
  await assert.rejects(runCoupling(seedPlan("process", 5), hooks), /nonexistent-segment-root/);
  assert.deepEqual(listeners(), before);
});

test("a run whose component cannot be launched leaves no signal listener behind", async () => {
  const before = listeners();
  const plan = seedPlan("process", 5, { a: "app-a.ts", b: "no-such-app.ts" });
  await assert.rejects(runCoupling(plan, hooks), /component "appB" \(process enclave\) could not be launched/);
  assert.deepEqual(listeners(), before);
});

test("after a run ended by SIGINT, a wait in the same process runs to its timeout and a second run completes", async (t) => {
  const driver = startFixture(t, "coupling/fixtures/interrupted-driver.ts");
  assert.equal(await driver.nextLine(60_000), "looping");
  driver.child.kill("SIGINT");
  assert.match(await driver.nextLine(), /^first: interrupted by SIGINT in iteration \d+/);
  assert.equal(await driver.nextLine(), "wait: QueueTimeoutError", "the handled SIGINT does not interrupt it");
  assert.equal(await driver.nextLine(60_000), "second: completed 20");
  assert.deepEqual(await driver.exited, { code: 0, signal: null });
});
