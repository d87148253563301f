// After the first window the driver's accelerated waveforms allocate nothing
// per iteration: windows start again from their end (TargetWaveform.restart),
// their samples are written into real waveform segments, off the grid in
// every other window (so resampled in each of its iterations) and on it in
// the others, and each iteration is accelerated (perform) until the window
// ends (converged), with the accelerations a run in time uses.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Acceleration } from "../../src/coupling/acceleration/acceleration.ts";
import { AitkenRelaxation } from "../../src/coupling/acceleration/aitken.ts";
import { ConstantRelaxation } from "../../src/coupling/acceleration/constant-relaxation.ts";
import { IqnIls } from "../../src/coupling/acceleration/iqn-ils.ts";
import { Preconditioner } from "../../src/coupling/acceleration/preconditioner.ts";
import { AcceleratedWaveforms } from "../../src/coupling/time/accelerated-waveforms.ts";
import { type AttemptSpan, TargetWaveform } from "../../src/coupling/time/time-transfer.ts";
import { SharedWaveform } from "../../src/shm/waveform.ts";
import { WaveformRole } from "../../src/wire/waveform.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { heapGrowthPerCall } from "./acceleration/heap-growth.ts";

const WINDOW = 0.1;
const ITERATIONS = 5;

const accelerations: [string, () => Acceleration][] = [
  ["constant", () => new ConstantRelaxation(0.5)],
  ["aitken", () => new AitkenRelaxation(0.5)],
  [
    "iqn-ils",
    () =>
      new IqnIls({
        initialRelaxation: 0.5,
        maxColumns: 8,
        windowsReused: 2,
        filter: "qr2",
        filterLimit: 1e-3,
        preconditioner: new Preconditioner("residual-sum"),
      }),
  ],
];

for (const [name, create] of accelerations) {
  test(`${name}: accelerated waveforms grow no heap per iteration after the first window, on and off the grid`, async (t) => {
    const run = scratchRun(t);
    const fields = [
      { label: "B.m.x", count: 7, degree: 1 },
      { label: "A.m.y", count: 4, degree: 3 },
    ].map(({ label, count, degree }) => {
      const waveform = SharedWaveform.create(run, `${label}.waveform`, {
        role: WaveformRole.writtenByDriver,
        count,
        capacity: 6,
        degree,
      });
      t.after(() => waveform.close());
      waveform.times[0] = 0;
      waveform.publishSampleCount(1);
      return new TargetWaveform(label, label.split(".")[0] as string, waveform, degree);
    });
    const accelerated = new AcceleratedWaveforms(fields, create());
    const span: AttemptSpan = { start: 0, end: WINDOW };
    let window = 0;
    let iteration = 0;
    // The mapped x̃: a contraction of what the last iterate left in each slot, at `steps` equal steps (4 is on
    // the grid the first window fixes; 5 is not).
    const map = (steps: number) => {
      for (const field of fields) {
        const waveform = field.waveform;
        for (let sample = 1; sample <= steps; sample++) {
          const time = sample === steps ? span.end : span.start + (sample * WINDOW) / steps;
          const values = waveform.samples[sample] as Float64Array;
          const previous = waveform.samples[Math.min(sample, 4)] as Float64Array;
          for (let point = 0; point < values.length; point++)
            values[point] = 0.5 * (previous[point] as number) + 1 + point * 0.01 + time;
          waveform.times[sample] = time;
        }
        waveform.publishSampleCount(steps + 1);
      }
    };
    // One iteration of the driver's loop.
    const step = () => {
      if (iteration === 0) {
        span.start = window * WINDOW;
        span.end = span.start + WINDOW;
        for (const field of fields) field.restart(span.start);
      }
      map(window % 2 === 0 ? 4 : 5);
      if (iteration === ITERATIONS - 1) {
        accelerated.converged(window, span);
        window++;
        iteration = 0;
        return;
      }
      accelerated.perform(window, iteration, span);
      assert.ok(accelerated.badField < 0);
      iteration++;
    };
    // The first window, which fixes the grid and initialises the acceleration, is in the warm-up.
    const growth = await heapGrowthPerCall(step, 3000, 600);
    assert.ok(window > 100, `${window} windows`);
    assert.ok(growth < 8, `${name}: the heap grew ${growth} bytes per iteration`);
  });
}
