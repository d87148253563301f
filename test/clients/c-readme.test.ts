// The C client's README examples, as printed there: each builds cleanly with
// the client's flags and couples, the iteration example alone and two of the
// time example in physical time (serial-implicit, checkpoints and repeats);
// with a field name misspelled, each stops with a message naming the mesh and
// the field instead of crashing, because it checks every return.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CouplingFailure } from "../../src/coupling/coupling-failure.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import type { OutputSink } from "../../src/enclave/output-capture.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { C_COMPILER, needs } from "../support/requirements.ts";
import { C_CLIENT, compileWithClient, scratchDirectory } from "./toolchain.ts";

function readmeExample(heading = "## A component"): string {
  const readme = readFileSync(join(C_CLIENT, "README.md"), "utf8");
  const start = readme.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `the README has a section "${heading}"`);
  const example = /```c\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  assert.ok(example !== undefined, `the README has a C example under "${heading}"`);
  return example;
}

/** Two of the time example, each reading the other's flux as its temperature: flux = 0.5·flux' + 1, so 2. */
function timePlan(binary: string): CouplingPlan {
  const component = (name: string) => ({
    name,
    kind: "process" as const,
    launch: { command: [binary], args: { points: 6, dt: 0.05 } },
    meshes: { surface: { dimension: 3 as const, count: 6, layout: "soa" as const, fields: ["temperature", "flux"] } },
  });
  const field = (component: string, name: string) => ({ component, mesh: "surface", field: name });
  return {
    components: [component("A"), component("B")],
    transfers: [
      { from: field("A", "flux"), to: field("B", "temperature"), operator: {}, waveformDegree: 1 },
      { from: field("B", "flux"), to: field("A", "temperature"), operator: {}, waveformDegree: 1 },
    ],
    iterations: 0,
    order: ["A", "B"],
    startupTimeoutMs: 20_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "block" },
    time: {
      scheme: "serial-implicit",
      window: 0.1,
      windows: 3,
      maxSubsteps: 20,
      minIterations: 1,
      maxIterations: 100,
      onMaxIterations: "stop",
      convergence: [
        { field: field("B", "temperature"), measure: "relative", limit: 1e-12 },
        { field: field("A", "temperature"), measure: "relative", limit: 1e-12 },
      ],
    },
  };
}

function plan(binary: string): CouplingPlan {
  return {
    components: [
      {
        name: "example",
        kind: "process",
        launch: { command: [binary], args: { points: 10 } },
        meshes: { surface: { dimension: 3, count: 10, layout: "soa", fields: ["temperature", "flux"] } },
      },
    ],
    transfers: [],
    iterations: 5,
    order: ["example"],
    startupTimeoutMs: 20_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "hybrid", spinNs: 50_000 },
  };
}

class Lines implements OutputSink {
  text = "";
  write(text: string): void {
    this.text += text;
  }
}

test(
  "the C README's example builds, couples, and names a misspelled field instead of crashing",
  needs(C_COMPILER),
  async (t) => {
    const directory = scratchDirectory(t);
    const source = readmeExample();
    writeFileSync(join(directory, "example.c"), source);
    const binary = compileWithClient(directory, "example", [join(directory, "example.c")]);
    let temperature: number[] = [];
    const result = await runCoupling(plan(binary), {
      buildOperator: setupNearestNeighbour,
      output: null,
      collect: (meshes) => {
        temperature = [...(meshes.get("example.surface")?.field("temperature") ?? [])];
      },
    });
    assert.equal(result.iterationsCompleted, 5);
    assert.deepEqual(temperature, Array(10).fill(5), "five steps of += 1");

    writeFileSync(
      join(directory, "misspelled.c"),
      source.replace('"temperature", &temperature', '"temperatur", &temperature'),
    );
    const misspelled = compileWithClient(directory, "misspelled", [join(directory, "misspelled.c")]);
    const lines = new Lines();
    const failure = await runCoupling(plan(misspelled), { buildOperator: setupNearestNeighbour, output: lines }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof CouplingFailure, String(failure));
    assert.match(
      failure.message,
      /component "example" \(process enclave, pid \d+\) exited with code 1 before it said hello/,
    );
    // Its own words arrive with the relay's last lines, which the run does not wait for.
    for (let waited = 0; !/cfx_mesh_field/.test(lines.text) && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.match(
      lines.text,
      /^\[example\] cfx_mesh_field failed \(CFX_ERR_NOT_FOUND\): mesh "surface" has no field "temperatur"$/m,
    );
  },
);

test(
  "the C README's time example builds, couples two of itself in time to the fixed point, and names a misspelled field",
  needs(C_COMPILER),
  async (t) => {
    const directory = scratchDirectory(t);
    const source = readmeExample("### In physical time");
    writeFileSync(join(directory, "in-time.c"), source);
    const binary = compileWithClient(directory, "in-time", [join(directory, "in-time.c")]);
    const fluxes: number[][] = [];
    const result = await runCoupling(timePlan(binary), {
      buildOperator: setupNearestNeighbour,
      output: null,
      collect: (meshes) => {
        for (const name of ["A.surface", "B.surface"]) fluxes.push([...(meshes.get(name)?.field("flux") ?? [])]);
      },
    });
    assert.equal(result.convergence?.length, 3, "three windows");
    for (const window of result.convergence ?? []) assert.ok(window.converged, `window ${window.window} converged`);
    assert.ok((result.convergence?.[0]?.iterations ?? 0) > 1, "the first window repeated (checkpoints restored)");
    for (const flux of fluxes) {
      assert.equal(flux.length, 6);
      for (const value of flux) assert.ok(Math.abs(value - 2) <= 1e-9, `flux ${value}, the fixed point 2`);
    }

    writeFileSync(
      join(directory, "misspelled.c"),
      source.replace('"surface", "temperature", dt', '"surface", "temperatur", dt'),
    );
    const misspelled = compileWithClient(directory, "misspelled", [join(directory, "misspelled.c")]);
    const lines = new Lines();
    const failure = await runCoupling(timePlan(misspelled), {
      buildOperator: setupNearestNeighbour,
      output: lines,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof CouplingFailure, String(failure));
    for (let waited = 0; !/cfx_read failed/.test(lines.text) && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.match(lines.text, /^\[A\] cfx_read failed \(CFX_ERR_[A-Z_]+\): .*temperatur/m);
  },
);
