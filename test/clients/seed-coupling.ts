// The seed demonstration with one application replaced by a client in another
// language, run by the real driver and compared with the single-process
// reference, as test/coupling/driver.test.ts does for the all-TypeScript run.
import assert from "node:assert/strict";
import { seedReference } from "../../examples/seed-dtk/reference.ts";
import { settingsFrom } from "../../src/bench/seed-workload.ts";
import { type CouplingResult, commandQueuePhase, runCoupling } from "../../src/coupling/driver.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import type { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { SEED_ARGS, seedPlan } from "../coupling/seed-plan.ts";

export interface SeedRun {
  result: CouplingResult;
  fields: Map<string, Float64Array>;
}

/** The seed plan across processes with `replace` launched as `command` instead of its TypeScript module. */
export function planWithCommand(
  iterations: number,
  replace: "appA" | "appB",
  command: string[],
  env: Record<string, string> = {},
): CouplingPlan {
  const plan = seedPlan("process", iterations);
  const component = plan.components.find((entry) => entry.name === replace);
  assert.ok(component);
  component.launch = { command, args: replace === "appA" ? SEED_ARGS.a : SEED_ARGS.b, env };
  return plan;
}

export async function runSeed(plan: CouplingPlan, pings: number): Promise<SeedRun> {
  const fields = new Map<string, Float64Array>();
  const result = await runCoupling(plan, {
    buildOperator: (source, target) => setupNearestNeighbour(source, target),
    output: null,
    pings,
    collect: (meshes: ReadonlyMap<string, SharedMesh>) => {
      for (const [name, mesh] of meshes) {
        for (const field of mesh.spec.fields) fields.set(`${name}.${field}`, Float64Array.from(mesh.field(field)));
      }
    },
  });
  return { result, fields };
}

/** The largest relative difference from the reference, per field. */
export function differencesFromReference(run: SeedRun, iterations: number): Map<string, number> {
  const reference = seedReference(
    settingsFrom(SEED_ARGS.a, "temperature"),
    settingsFrom(SEED_ARGS.b, "flux"),
    iterations,
    (source, target) => setupNearestNeighbour(source, target),
  );
  const pairs: [string, Float64Array][] = [
    ["appA.surface.temperature", reference.temperatureA],
    ["appA.surface.flux", reference.fluxA],
    ["appB.surface.temperature", reference.temperatureB],
    ["appB.surface.flux", reference.fluxB],
  ];
  const differences = new Map<string, number>();
  for (const [name, expected] of pairs) {
    const actual = run.fields.get(name);
    assert.ok(actual, `${name} was collected`);
    assert.equal(actual.length, expected.length);
    let worst = 0;
    for (let index = 0; index < expected.length; index++) {
      const scale = Math.max(1, Math.abs(expected[index] as number));
      worst = Math.max(worst, Math.abs((actual[index] as number) - (expected[index] as number)) / scale);
    }
    differences.set(name, worst);
  }
  return differences;
}

export function assertCompleted(run: SeedRun, iterations: number, pings: number): void {
  assert.equal(run.result.iterationsCompleted, iterations);
  const phases = new Map(run.result.timings.summaries().map((entry) => [entry.phase, entry.distribution.n]));
  assert.equal(phases.get("iteration"), iterations);
  for (const component of ["appA", "appB"]) {
    assert.equal(phases.get(commandQueuePhase(component)), pings, `${component} answered every ping with a pong`);
  }
  assert.deepEqual(
    run.result.enclaves.map((enclave) => enclave.exit?.code),
    [0, 0],
    "both components said bye and exited with code 0",
  );
}
