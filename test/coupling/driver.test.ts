import assert from "node:assert/strict";
import { test } from "node:test";
import { seedReference } from "../../examples/seed-dtk/reference.ts";
import { settingsFrom } from "../../src/bench/seed-workload.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import type { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { SEED_ARGS, seedPlan } from "./seed-plan.ts";

for (const kind of ["process", "thread"] as const) {
  test(`the seed demonstration, 500 iterations across ${kind === "process" ? "processes" : "threads"}, matches the single-process computation`, async () => {
    const results = new Map<string, Float64Array>();
    const result = await runCoupling(seedPlan(kind, 500), {
      buildOperator: (source, target) => setupNearestNeighbour(source, target),
      output: null,
      collect: (meshes: ReadonlyMap<string, SharedMesh>) => {
        for (const [name, mesh] of meshes) {
          for (const field of mesh.spec.fields) results.set(`${name}.${field}`, Float64Array.from(mesh.field(field)));
        }
      },
    });
    assert.equal(result.iterationsCompleted, 500);
    const reference = seedReference(
      settingsFrom(SEED_ARGS.a, "temperature"),
      settingsFrom(SEED_ARGS.b, "flux"),
      500,
      (source, target) => setupNearestNeighbour(source, target),
    );
    const pairs: [string, Float64Array][] = [
      ["appA.surface.temperature", reference.temperatureA],
      ["appA.surface.flux", reference.fluxA],
      ["appB.surface.temperature", reference.temperatureB],
      ["appB.surface.flux", reference.fluxB],
    ];
    for (const [name, expected] of pairs) {
      const actual = results.get(name);
      assert.ok(actual, `${name} was collected`);
      let worst = 0;
      for (let index = 0; index < expected.length; index++) {
        const scale = Math.max(1, Math.abs(expected[index] as number));
        worst = Math.max(worst, Math.abs((actual[index] as number) - (expected[index] as number)) / scale);
      }
      assert.ok(worst <= 1e-12, `${name} differs from the reference by ${worst}`);
    }
    const phases = new Map(result.timings.summaries().map((entry) => [entry.phase, entry.distribution.n]));
    assert.equal(phases.get("iteration"), 500);
    assert.equal(phases.get("appA step"), 500);
    assert.equal(phases.get("appA.surface.temperature → appB.surface.temperature"), 500);
    assert.deepEqual(
      result.enclaves.map((enclave) => enclave.exit?.code),
      [0, 0],
    );
  });
}
