// A component written in Fortran (test/clients/fortran_component.f90) on the C
// client's iso_c_binding interfaces (clients/c/conflux.f90), run by the real
// driver across processes: connect, share a mesh, ready, steps with pings in
// between, stop. Skipped where there is no gfortran (Debian package gfortran).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { runCoupling } from "../../src/coupling/driver.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import type { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, GFORTRAN, needs } from "../support/requirements.ts";
import { startProgram } from "./programs.ts";
import { C_CLIENT, scratchDirectory } from "./toolchain.ts";

const compiler = compilerCommand();
const options = needs(GFORTRAN, C_COMPILER);

function build(directory: string): string {
  const object = join(directory, "conflux.o");
  const c = spawnSync(compiler as string, ["-std=c99", "-O2", "-c", join(C_CLIENT, "conflux.c"), "-o", object], {
    encoding: "utf8",
  });
  assert.equal(c.status, 0, c.stderr);
  const binary = join(directory, "fortran_component");
  const sources = [join(C_CLIENT, "conflux.f90"), join(projectRoot, "test/clients/fortran_component.f90")];
  const f = spawnSync(
    "gfortran",
    ["-std=f2008", "-Wall", "-Wextra", "-Werror", "-O2", "-J", directory, ...sources, object, "-o", binary],
    { encoding: "utf8" },
  );
  assert.equal(f.status, 0, f.stderr);
  return binary;
}

test("a Fortran component on the C client follows the driver through 20 steps and 50 pings", options, async (t) => {
  const binary = build(scratchDirectory(t));
  const points = 10;
  const iterations = 20;
  const plan: CouplingPlan = {
    components: [
      {
        name: "solo",
        kind: "process",
        launch: { command: [binary], args: { points } },
        meshes: { line: { dimension: 1, count: points, layout: "soa", fields: ["value"] } },
      },
    ],
    transfers: [],
    iterations,
    order: ["solo"],
    startupTimeoutMs: 30_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "hybrid", spinNs: 50_000 },
  };
  let values: Float64Array | undefined;
  const result = await runCoupling(plan, {
    buildOperator: (source, target) => setupNearestNeighbour(source, target),
    output: null,
    pings: 50,
    collect: (meshes: ReadonlyMap<string, SharedMesh>) => {
      values = Float64Array.from(meshes.get("solo.line")?.field("value") ?? []);
    },
  });
  assert.equal(result.iterationsCompleted, iterations);
  assert.deepEqual(
    result.enclaves.map((enclave) => enclave.exit?.code),
    [0],
  );
  // The same arithmetic, in the same order, as the Fortran loop.
  const expected = new Float64Array(points);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let index = 0; index < points; index++) {
      expected[index] = (expected[index] as number) + (index / points) * iteration;
    }
  }
  assert.deepEqual(values, expected);
});

test("a Fortran component started without CONFLUX_RUN_DIR stops with the client's message", options, async (t) => {
  const binary = build(scratchDirectory(t));
  const program = startProgram(t, [binary], { CONFLUX_COMPONENT_NAME: "solo", CONFLUX_RUN_DIR: undefined });
  assert.equal((await program.exited).code, 1);
  assert.match(program.stderr(), /ERROR: CONFLUX_RUN_DIR is not set: start this component through `conflux run`/);
});
