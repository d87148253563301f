// A NaN or ±Infinity in a field the driver carries ends the run with an error
// naming the component, the mesh, the field, the first such point and the
// iteration; plan.checkFinite false (coupling.check_finite: false) carries it on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CouplingFailure } from "../../src/coupling/coupling-failure.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import type { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { seedPlan } from "./seed-plan.ts";

function hostilePlan(fault: string, at: number, point: number, checkFinite?: boolean) {
  const plan = seedPlan("process", at + 3, { a: "app-a.ts", b: "../../test/coupling/fixtures/untrusted-app.ts" });
  const appB = plan.components[1];
  if (appB) appB.launch.args = { points: 3000, seed: 2, sweeps: 3, fault, at, point };
  return checkFinite === undefined ? plan : { ...plan, checkFinite };
}

const at = 2 + Math.floor(Math.random() * 10);
const point = Math.floor(Math.random() * 3000);

for (const [fault, value] of [
  ["nan", "NaN"],
  ["inf", "-Infinity"],
] as const) {
  test(`${value} written at point ${point} in iteration ${at} ends the run naming component, mesh, field, point and iteration`, async () => {
    let caught: unknown;
    try {
      await runCoupling(hostilePlan(fault, at, point), {
        buildOperator: (source, target) => setupNearestNeighbour(source, target),
        output: null,
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof CouplingFailure, String(caught));
    assert.equal(
      caught.message.replace(/pid \d+/, "pid N"),
      `component "appB" (process enclave, pid N) wrote ${value} into field "flux" of mesh "surface" at point ${point} (its first non-finite value); the driver carries only finite values unless coupling.check_finite is false in iteration ${at}, phase "appB.surface.flux → appA.surface.flux"`,
    );
  });
}

test("with checkFinite false the values are carried on, and the run completes", async () => {
  let carried = 0;
  const result = await runCoupling(hostilePlan("nan", at, point, false), {
    buildOperator: (source, target) => setupNearestNeighbour(source, target),
    output: null,
    collect: (meshes: ReadonlyMap<string, SharedMesh>) => {
      carried = (meshes.get("appA.surface")?.field("flux") ?? new Float64Array()).filter(Number.isNaN).length;
    },
  });
  assert.equal(result.iterationsCompleted, at + 3);
  assert.ok(carried > 0, "NaN reached appA's mesh");
});
