// The convergence measures: absolute ‖Δ‖ ≤ limit, relative ‖Δ‖ ≤ limit ‖x̃‖,
// residual-relative ‖Δ‖ ≤ limit ‖Δ₀‖; every one must hold and min_iterations be
// reached; NaN never holds. And Δ itself, measured on a real waveform segment:
// against a snapshot on the same grid, against the constant start value of a new
// window, and against a snapshot on another grid (interpolated as its reader
// would).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConvergenceCriteria, type MeasureSpec } from "../../../src/coupling/convergence/convergence-criteria.ts";
import { WaveformChange } from "../../../src/coupling/convergence/waveform-change.ts";
import { SharedWaveform } from "../../../src/shm/waveform.ts";
import { WaveformRole } from "../../../src/wire/waveform.ts";
import { scratchRun } from "../../support/scratch-run.ts";

/** A change whose norms the test sets: [‖Δ‖, ‖x̃‖]. */
function change(): WaveformChange {
  return { norms: new Float64Array(2) } as unknown as WaveformChange;
}

test("each measure and their AND, with min_iterations", () => {
  const a = change();
  const b = change();
  const measures: MeasureSpec[] = [
    { label: "A.m.x", kind: "absolute", limit: 1e-3, change: a },
    { label: "B.m.y", kind: "relative", limit: 1e-2, change: b },
    { label: "B.m.y", kind: "residual-relative", limit: 1e-1, change: b },
  ];
  const criteria = new ConvergenceCriteria(measures, 10);
  a.norms.set([1, 1]);
  b.norms.set([5, 10]);
  assert.equal(criteria.evaluate(0, 1), false);
  // Absolute holds (1e-4), relative holds (0.09 ≤ 0.01 · 10), residual-relative holds (0.09 ≤ 0.1 · 5, Δ₀ = 5).
  a.norms.set([1e-4, 1]);
  b.norms.set([0.09, 10]);
  assert.equal(criteria.evaluate(1, 1), true);
  assert.equal(criteria.evaluate(1, 3), false, "min_iterations 3 not reached after 2");
  // Relative fails (0.2 > 0.1).
  b.norms.set([0.2, 10]);
  assert.equal(criteria.evaluate(2, 1), false);
  assert.match(criteria.describeFailing(), /^B\.m\.y relative 2\.00e-2 \(limit 0\.01\)$/);
  // A NaN never holds.
  a.norms.set([Number.NaN, 1]);
  b.norms.set([0, 10]);
  assert.equal(criteria.evaluate(3, 1), false);
  const residuals = criteria.windowResiduals();
  assert.deepEqual(Object.keys(residuals), ["A.m.x", "B.m.y"], "a field measured twice is recorded once");
  assert.deepEqual(
    residuals["B.m.y"]?.map((residual) => [residual.absolute, residual.relative]),
    [
      [5, 0.5],
      [0.09, 0.009],
      [0.2, 0.02],
      [0, 0],
    ],
  );
});

test("residual-relative measures against the window's first iteration", () => {
  const c = change();
  const criteria = new ConvergenceCriteria([{ label: "C", kind: "residual-relative", limit: 1e-3, change: c }], 5);
  c.norms.set([2, 1]);
  assert.equal(criteria.evaluate(0, 1), false);
  c.norms.set([0.0019, 1]);
  assert.equal(criteria.evaluate(1, 1), true, "0.0019 ≤ 1e-3 · 2");
  // A new window: its own first iteration is the reference.
  c.norms.set([0.001, 1]);
  assert.equal(criteria.evaluate(0, 1), false);
  c.norms.set([0.0000011, 1]);
  assert.equal(criteria.evaluate(1, 1), false, "1.1e-6 > 1e-3 · 1e-3");
});

test("Δ over a waveform's samples: the same grid, a new window's constant start, and another grid", (t) => {
  const run = scratchRun(t);
  const waveform = SharedWaveform.create(run, "A.m.x.waveform", {
    role: WaveformRole.writtenByDriver,
    count: 2,
    capacity: 5,
    degree: 1,
  });
  t.after(() => waveform.close());
  const write = (times: number[], values: number[][]) => {
    times.forEach((time, index) => {
      waveform.times[index] = time;
      waveform.sample(index).set(values[index] as number[]);
    });
    waveform.publishSampleCount(times.length);
  };
  const measure = new WaveformChange(waveform, 1);
  // A new window: n = 1, the start value constant in time.
  write([0], [[1, 2]]);
  measure.snapshot();
  write(
    [0, 0.5, 1],
    [
      [1, 2],
      [2, 2],
      [3, 2],
    ],
  );
  measure.measure();
  // Δ = (2,2) − (1,2) and (3,2) − (1,2): ‖Δ‖ = √(1 + 4); ‖x̃‖ = √(4 + 4 + 9 + 4).
  assert.ok(Math.abs((measure.norms[0] as number) - Math.sqrt(5)) < 1e-15);
  assert.ok(Math.abs((measure.norms[1] as number) - Math.sqrt(21)) < 1e-15);
  // The same grid: sample by sample.
  measure.snapshot();
  write(
    [0, 0.5, 1],
    [
      [1, 2],
      [2, 3],
      [3, 2],
    ],
  );
  measure.measure();
  assert.equal(measure.norms[0], 1);
  // Another grid: the snapshot (samples at 0, 0.5, 1) read linearly at 0.25, 0.75 and 1.
  measure.snapshot();
  write(
    [0, 0.25, 0.75, 1],
    [
      [1, 2],
      [1.5, 2.5],
      [2.5, 2.5],
      [3, 2],
    ],
  );
  measure.measure();
  // The snapshot at 0.25: (1.5, 2.5), at 0.75: (2.5, 2.5), at 1: (3, 2): no change.
  assert.ok((measure.norms[0] as number) < 1e-15, `${measure.norms[0]}`);
});
