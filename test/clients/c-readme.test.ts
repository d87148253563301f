// The C client's README example, as printed there: it builds cleanly with the
// client's flags, couples, and, with a field name misspelled, stops with a
// message naming the mesh and the field instead of crashing, because it checks
// every return.
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

function readmeExample(): string {
  const readme = readFileSync(join(C_CLIENT, "README.md"), "utf8");
  const example = /## A component[\s\S]*?```c\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example !== undefined, "the README has a C example under 'A component'");
  return example;
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
