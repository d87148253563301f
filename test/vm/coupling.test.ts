// The driver with a component in a VM: appA of the talk in C (guest/app_a_vm.c,
// examples/c-component/app_a.c with its mesh in the arena) in a guest, appB in
// TypeScript in a process. The channel reaches the guest as a device, the mesh
// comes back through the arena, both sides spin (futex wakes do not cross the
// VM boundary), and the result is the single-process reference's, bit for bit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { guestProgram } from "../../src/vm/guest-program.ts";
import { assertCompleted, differencesFromReference, planWithCommand, runSeed } from "../clients/seed-coupling.ts";

const APP_A_VM = fileURLToPath(new URL("../../guest/app_a_vm.c", import.meta.url));

test("appA in C in a VM coupled with appB in a process, 30 iterations, matches the reference bit for bit", async () => {
  const plan = planWithCommand(30, "appA", [guestProgram("app_a_vm", [APP_A_VM])]);
  const appA = plan.components.find((component) => component.name === "appA");
  assert.ok(appA);
  appA.kind = "vm";
  const run = await runSeed(plan, 20);
  assertCompleted(run, 30, 20);
  for (const [field, difference] of differencesFromReference(run, 30)) {
    assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
  }
  const record = run.result.enclaves.find((entry) => entry.component === "appA");
  assert.equal(record?.kind, "vm");
  assert.deepEqual(record?.exit, { code: 0, signal: null, cause: "exit" });
});
