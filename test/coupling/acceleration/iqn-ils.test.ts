// IQN-ILS on fixed-point problems with known answers: exact in rank + 1
// quasi-Newton steps on a linear contraction of that rank, whatever the
// filter; converging on a nonlinear problem far faster than relaxation; with a
// filter, a least-squares system that cannot become singular and iteration
// counts that do not grow across windows where unfiltered ones do; reuse of
// past windows cutting the iterations; never more columns than values.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AitkenRelaxation } from "../../../src/coupling/acceleration/aitken.ts";
import { IqnIls } from "../../../src/coupling/acceleration/iqn-ils.ts";
import { Preconditioner } from "../../../src/coupling/acceleration/preconditioner.ts";
import type { QrFilter, QuasiNewtonSettings } from "../../../src/coupling/acceleration/quasi-newton.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import {
  affineMap,
  distance,
  type FixedPointMap,
  lowRankContraction,
  runWindow,
  startNextWindow,
  waveformLayout,
} from "./fixed-point-problems.ts";

function settings(overrides: Partial<QuasiNewtonSettings> = {}): QuasiNewtonSettings {
  return {
    initialRelaxation: 0.5,
    maxColumns: 50,
    windowsReused: 0,
    filter: "qr2",
    filterLimit: 1e-8,
    preconditioner: new Preconditioner("residual-sum"),
    ...overrides,
  };
}

test("on a linear contraction of rank r, IQN-ILS is exact after r + 1 quasi-Newton steps, with every filter", () => {
  for (const rank of [1, 3, 6]) {
    for (const filter of ["none", "qr1", "qr2", "qr3"] as const) {
      const random = seededRandom(rank);
      // Two fields, four samples each: the vector the driver accelerates.
      const { layout, size } = waveformLayout([
        { points: 5, samples: 4 },
        { points: 3, samples: 4 },
      ]);
      const a = lowRankContraction(size, rank, random, 0.9);
      const b = Float64Array.from({ length: size }, () => random() - 0.5);
      const acceleration = new IqnIls(settings({ filter, preconditioner: new Preconditioner("none") }));
      acceleration.initialize(layout);
      const outcome = runWindow(acceleration, layout, affineMap(a, b), 0, 1e-10, 100);
      // One evaluation relaxed, r + 1 steps, and the evaluation that finds the fixed point.
      assert.ok(outcome.converged && outcome.iterations <= rank + 3, `rank ${rank}, ${filter}: ${outcome.iterations}`);
      const check = new Float64Array(size);
      affineMap(a, b)(outcome.solution, check);
      assert.ok(distance(check, outcome.solution) < 1e-9, "the result is the fixed point");
    }
  }
});

/** x̃ = A x + 0.3 tanh(B x) + c: a full-rank, nonlinear contraction with eigenvalues near −1 that plain iteration crawls through. */
function nonlinearMap(size: number, seed: number): FixedPointMap {
  const random = seededRandom(seed);
  const a = lowRankContraction(size, size, random, 0.97);
  const b = lowRankContraction(size, size, random, 1);
  const c = Float64Array.from({ length: size }, () => random());
  const linear = affineMap(a, c);
  const inner = new Float64Array(size);
  const zero = new Float64Array(size);
  const bx = affineMap(b, zero);
  return (x, out) => {
    linear(x, out);
    bx(x, inner);
    for (let index = 0; index < size; index++)
      out[index] = (out[index] as number) + 0.3 * Math.tanh(inner[index] as number);
  };
}

test("on a nonlinear contraction IQN-ILS converges in far fewer iterations than Aitken", () => {
  const { layout, size } = waveformLayout([{ points: 8, samples: 3 }]);
  const map = nonlinearMap(size, 4);
  const counts: Record<string, number> = {};
  for (const acceleration of [new IqnIls(settings({ filterLimit: 1e-3 })), new AitkenRelaxation(0.5)]) {
    acceleration.initialize(layout);
    for (const field of layout.fields) field.start.fill(0);
    const outcome = runWindow(acceleration, layout, map, 0, 1e-10, 1000);
    assert.ok(outcome.converged, acceleration.name);
    counts[acceleration.name] = outcome.iterations;
  }
  assert.ok((counts["iqn-ils"] as number) * 2 < (counts.aitken as number), JSON.stringify(counts));
});

/**
 * 30 windows of a mildly nonlinear full-rank problem whose forcing changes in
 * time, reusing 20 windows with room for as many columns as values: old and new
 * columns become nearly dependent.
 */
function dependentColumnsRun(filter: QrFilter): { iterations: number[]; worstConditioning: number } {
  const random = seededRandom(9);
  const { layout, size } = waveformLayout([{ points: 30, samples: 1 }]);
  const a = lowRankContraction(size, size, random, 0.99);
  const b0 = Float64Array.from({ length: size }, () => random());
  const acceleration = new IqnIls(
    settings({ initialRelaxation: 0.1, maxColumns: 100, windowsReused: 20, filter, filterLimit: 1e-3 }),
  );
  acceleration.initialize(layout);
  const iterations: number[] = [];
  let worstConditioning = 1;
  const b = new Float64Array(size);
  const affine = affineMap(a, b);
  const map: FixedPointMap = (x, out) => {
    affine(x, out);
    for (let index = 0; index < size; index++)
      out[index] = (out[index] as number) + 0.05 * Math.sin(x[index] as number);
  };
  for (let window = 0; window < 30; window++) {
    for (let index = 0; index < size; index++) b[index] = (b0[index] as number) + Math.sin(0.3 * window + index);
    iterations.push(runWindow(acceleration, layout, map, window, 1e-10, 100).iterations);
    startNextWindow(layout);
    worstConditioning = Math.min(worstConditioning, acceleration.conditioning());
  }
  return { iterations, worstConditioning };
}

test("when columns become linearly dependent the QR2 and QR3 filters keep the system well-conditioned and the counts flat; unfiltered they grow", () => {
  for (const filter of ["qr2", "qr3"] as const) {
    const { iterations, worstConditioning } = dependentColumnsRun(filter);
    assert.ok(worstConditioning >= 1e-3 * (1 - 1e-9), `${filter}: conditioning fell to ${worstConditioning}`);
    const late = iterations.slice(10);
    assert.ok(Math.max(...late) <= 20, `${filter}: ${iterations.join(",")}`);
  }
  const unfiltered = dependentColumnsRun("none");
  assert.ok(unfiltered.worstConditioning < 1e-6, `unfiltered conditioning ${unfiltered.worstConditioning}`);
  assert.ok(Math.max(...unfiltered.iterations.slice(10)) > 40, `unfiltered: ${unfiltered.iterations.join(",")}`);
});

test("reusing past windows' columns cuts the iterations of a problem that changes in time", () => {
  const totals: number[] = [];
  for (const windowsReused of [0, 5]) {
    const random = seededRandom(5);
    const { layout, size } = waveformLayout([
      { points: 5, samples: 4 },
      { points: 3, samples: 4 },
    ]);
    const a = lowRankContraction(size, 6, random, 0.95);
    const acceleration = new IqnIls(settings({ maxColumns: 12, windowsReused, filterLimit: 1e-3 }));
    acceleration.initialize(layout);
    let total = 0;
    const b = new Float64Array(size);
    for (let window = 0; window < 10; window++) {
      for (let index = 0; index < size; index++) b[index] = Math.sin(index + window);
      const outcome = runWindow(acceleration, layout, affineMap(a, b), window, 1e-10, 100);
      assert.ok(outcome.converged);
      total += outcome.iterations;
      startNextWindow(layout);
    }
    totals.push(total);
  }
  assert.ok((totals[1] as number) * 2 < (totals[0] as number), `reused 5: ${totals[1]}, none: ${totals[0]}`);
});

test("the least-squares system never has more columns than the vector has values", () => {
  const random = seededRandom(1);
  const { layout, size } = waveformLayout([{ points: 4, samples: 1 }]);
  const acceleration = new IqnIls(settings({ maxColumns: 50, windowsReused: 10, filter: "none" }));
  acceleration.initialize(layout);
  const a = lowRankContraction(size, size, random, 0.99);
  let most = 0;
  for (let window = 0; window < 6; window++) {
    const b = Float64Array.from({ length: size }, () => random());
    runWindow(acceleration, layout, affineMap(a, b), window, 1e-14, 30);
    most = Math.max(most, acceleration.columns);
    startNextWindow(layout);
  }
  assert.equal(most, 4);
});

test("settings out of range are refused with what is allowed", () => {
  assert.throws(() => new IqnIls(settings({ initialRelaxation: 0 })), /initial relaxation must be in \(0, 1\]/);
  assert.throws(() => new IqnIls(settings({ maxColumns: 0 })), /max_columns must be a positive integer/);
  assert.throws(() => new IqnIls(settings({ windowsReused: -1 })), /windows_reused must be a whole number/);
});
