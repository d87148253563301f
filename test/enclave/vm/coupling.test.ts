// The driver with a component in a VM: appA of the talk, in C
// (examples/c-component/app_a.c) or in TypeScript (the seed module), unchanged
// either way (the client puts its mesh in the arena), in a guest; appB in
// TypeScript in a process. The channel reaches the guest as a device, the mesh
// comes back through the arena, both sides spin (futex wakes do not cross the
// VM boundary), and the result is the single-process reference's, bit for bit.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CouplingPlan } from "../../../src/coupling/plan.ts";
import { guestProgram } from "../../../src/enclave/vm/image/guest-program.ts";
import { assertCompleted, differencesFromReference, planWithCommand, runSeed } from "../../clients/seed-coupling.ts";
import { seedPlan } from "../../coupling/seed-plan.ts";
import { guestWaitMs } from "../../support/guest-start.ts";
import { C_COMPILER, needs, VM } from "../../support/requirements.ts";

const APP_A = fileURLToPath(new URL("../../../examples/c-component/app_a.c", import.meta.url));

/**
 * appA in a VM, with the waits for its guest derived from a guest's start
 * measured in this file (test/support/guest-start.ts): its boot, and its hello
 * after the boot, which for the TypeScript appA (its modules, its mesh and
 * neighbour graph, all emulated) took 0.84–0.88 of such a start.
 */
async function inVm(t: TestContext, plan: CouplingPlan): Promise<CouplingPlan> {
  const appA = plan.components.find((component) => component.name === "appA");
  assert.ok(appA);
  appA.kind = "vm";
  appA.launch.vm = { ...appA.launch.vm, bootTimeoutMs: await guestWaitMs(t) };
  return { ...plan, startupTimeoutMs: await guestWaitMs(t) };
}

test(
  "appA in C in a VM coupled with appB in a process, 30 iterations, matches the reference bit for bit",
  needs(VM, C_COMPILER),
  async (t) => {
    const plan = await inVm(t, planWithCommand(30, "appA", [guestProgram("app_a", [APP_A])]));
    const run = await runSeed(plan, 20);
    assertCompleted(run, 30, 20);
    for (const [field, difference] of differencesFromReference(run, 30)) {
      assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
    }
    const record = run.result.enclaves.find((entry) => entry.component === "appA");
    assert.equal(record?.kind, "vm");
    assert.deepEqual(record?.exit, { code: 0, signal: null, cause: "exit" });
  },
);

test(
  "appA in TypeScript in a VM shares its mesh through the arena and couples, 5 iterations, as the reference",
  needs(VM, C_COMPILER),
  async (t) => {
    // The seed appA module itself: Run.createSegment puts the mesh in the arena, and futex
    // wakes on the guest's device memory are no-ops (nobody can sleep there).
    const plan = await inVm(t, seedPlan("process", 5));
    const run = await runSeed(plan, 2);
    assertCompleted(run, 5, 2);
    for (const [field, difference] of differencesFromReference(run, 5)) {
      assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
    }
  },
);
