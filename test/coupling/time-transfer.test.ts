// From a composition to the waveforms the components see, with the driver in
// this process and two components in their own (fixtures/waveform-probe.ts):
// each transfer's waveform_degree reaches the waveform its target reads, and
// what the driver maps into a target is exactly what the source wrote in that
// attempt, its n samples with their times and values, and nothing past them.
// a takes a different number of steps in each window, so n changes from one
// window to the next.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseComposition } from "../../src/compose/load.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import { createOperator } from "../../src/mapping/index.ts";
import { couplingPlan } from "../../src/runner/coupling-plan.ts";

const PROBE = fileURLToPath(new URL("./fixtures/waveform-probe.ts", import.meta.url));
/** What b writes into the slots past n; a value the driver never maps (a's values are ≥ 0). */
const SENTINEL = -12345;
/** a's steps in each window: rising, so that every slot past a window's n was past the last window's too. */
const A_STEPS = [2, 3, 5];
const MAX_SUBSTEPS = 7;

interface Written {
  window: number;
  n: number;
  times: number[];
  samples: number[][];
}

interface Seen extends Written {
  degree: number;
}

function composition(report: string): string {
  return `version: 1
name: waveform-transfer
components:
  A:
    module: ${PROBE}
    args: { role: a, steps: [${A_STEPS.join(", ")}], report: ${report}, sentinel: ${SENTINEL} }
    meshes: { m: { dimension: 1, points: 4, fields: [x, y] } }
  B:
    module: ${PROBE}
    args: { role: b, steps: [4, 4, 4], report: ${report}, sentinel: ${SENTINEL} }
    meshes: { m: { dimension: 1, points: 4, fields: [x, y] } }
transfers:
  - { from: A.m.x, to: B.m.x, operator: { method: nearest }, waveform_degree: 3 }
  - { from: B.m.y, to: A.m.y, operator: { method: nearest }, waveform_degree: 0 }
coupling:
  scheme: serial-explicit
  order: [A, B]
  window: 0.1
  windows: ${A_STEPS.length}
  max_substeps: ${MAX_SUBSTEPS}
  wait: { strategy: block }
`;
}

test("a transfer's waveform_degree reaches its target, and the driver maps exactly the source's samples", async (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-time-transfer-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const report = join(directory, "report.jsonl");
  const file = join(directory, "conflux.yaml");
  const plan = couplingPlan(parseComposition(composition(report), file));
  await runCoupling(plan, {
    buildOperator: (source, target, spec) => createOperator(source, target, spec),
    output: null,
  });
  const records = readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { role: string } & Seen);
  const written = records.filter((record) => record.role === "a");
  const seen = records.filter((record) => record.role === "b");
  const aReads = records.filter((record) => record.role === "a-reads");
  assert.deepEqual(
    written.map((record) => record.window),
    [0, 1, 2],
  );
  assert.deepEqual(
    seen.map((record) => record.window),
    [0, 1, 2],
  );

  // The degrees the composition set, as each reader's waveform carries them.
  assert.deepEqual(
    seen.map((record) => record.degree),
    [3, 3, 3],
    "B.m.x is read with B-splines of degree 3",
  );
  assert.deepEqual(
    aReads.map((record) => record.degree),
    [0, 0, 0],
    "A.m.y is read with B-splines of degree 0",
  );

  for (const [window, steps] of A_STEPS.entries()) {
    const source = written[window] as Written;
    const target = seen[window] as Seen;
    // What a wrote: its steps' samples, the last at the window's end.
    assert.equal(source.n, steps + 1);
    assert.ok(Math.abs((source.times[steps] as number) - 0.1 * (window + 1)) < 1e-12);
    assert.deepEqual(
      source.samples[steps]?.map((value) => Math.round(value * 1e9) / 1e9),
      [0, 1, 2, 3].map((point) => Math.round((window + 1 + point) * 1e9) / 1e9),
    );
    // What b's waveform holds when b starts: a's n samples and their times, unchanged (nearest on equal points).
    assert.equal(target.n, source.n, `window ${window}: n`);
    assert.deepEqual(target.times.slice(0, source.n), source.times, `window ${window}: times`);
    assert.deepEqual(target.samples.slice(0, source.n), source.samples, `window ${window}: values`);
    // Past n the driver wrote nothing: the fresh segment's zeros in the first window, b's sentinel after it.
    const untouched = window === 0 ? 0 : SENTINEL;
    for (let slot = source.n; slot <= MAX_SUBSTEPS; slot++) {
      assert.equal(target.times[slot], untouched, `window ${window}: time of slot ${slot}`);
      assert.deepEqual(
        target.samples[slot],
        [untouched, untouched, untouched, untouched],
        `window ${window}: slot ${slot}`,
      );
    }
  }
});
