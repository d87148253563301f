// Constant and Aitken under-relaxation on problems whose iterates are known by
// hand, working in place on sample views over a shared buffer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AitkenRelaxation } from "../../../src/coupling/acceleration/aitken.ts";
import { ConstantRelaxation } from "../../../src/coupling/acceleration/constant-relaxation.ts";
import { Preconditioner } from "../../../src/coupling/acceleration/preconditioner.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import {
  affineMap,
  lowRankContraction,
  readLayout,
  runWindow,
  startNextWindow,
  waveformLayout,
  writeLayout,
} from "./fixed-point-problems.ts";

test("constant relaxation writes ω x̃ + (1 − ω) x into the views, x being the start value in a window's first iteration", () => {
  const { layout } = waveformLayout([{ points: 2, samples: 2 }]);
  const relaxation = new ConstantRelaxation(0.25);
  relaxation.initialize(layout);
  const field = layout.fields[0];
  assert.ok(field);
  field.start.set([4, 8]);
  writeLayout(layout, Float64Array.of(0, 0, 8, 16));
  relaxation.perform(0, 0);
  const x = new Float64Array(4);
  readLayout(layout, x);
  assert.deepEqual([...x], [3, 6, 5, 10]);
  writeLayout(layout, Float64Array.of(7, 10, 9, 14));
  relaxation.perform(0, 1);
  readLayout(layout, x);
  assert.deepEqual([...x], [0.25 * 7 + 0.75 * 3, 0.25 * 10 + 0.75 * 6, 0.25 * 9 + 0.75 * 5, 0.25 * 14 + 0.75 * 10]);
});

test("constant relaxation converges on a contraction at the rate 1 − ω(1 − λ)", () => {
  // x̃ = −x + 2 (λ = −1): plain iteration oscillates forever; ω = 0.5 lands on x = 1 in one step.
  const { layout } = waveformLayout([{ points: 3, samples: 1 }]);
  const relaxation = new ConstantRelaxation(0.5);
  relaxation.initialize(layout);
  const a = Float64Array.from({ length: 9 }, (_, index) => (index % 4 === 0 ? -1 : 0));
  const outcome = runWindow(relaxation, layout, affineMap(a, Float64Array.of(2, 2, 2)), 0, 1e-12, 10);
  assert.deepEqual([outcome.iterations, outcome.converged], [2, true]);
  assert.deepEqual([...outcome.solution], [1, 1, 1]);
});

test("constant relaxation refuses a factor outside (0, 1]", () => {
  for (const omega of [0, -0.5, 1.5, Number.NaN]) assert.throws(() => new ConstantRelaxation(omega), /\(0, 1\]/);
});

test("Aitken's factor is the secant's, from the window-end sample: exact in two steps on an affine map there", () => {
  // Two samples: x̃ = 0.5·x + 1 at the window's end (fixed point 2); the first sample's residual is made different
  // (x̃ = −0.8·x + 9) to show that only the end sample sets the factor, which then relaxes both.
  const { layout } = waveformLayout([{ points: 1, samples: 2 }]);
  const aitken = new AitkenRelaxation(0.5);
  aitken.initialize(layout);
  const x = new Float64Array(2);
  layout.fields[0]?.start.set([0]);
  writeLayout(layout, Float64Array.of(9, 1));
  aitken.perform(0, 0);
  readLayout(layout, x);
  assert.deepEqual([...x], [4.5, 0.5]);
  writeLayout(layout, Float64Array.of(-0.8 * 4.5 + 9, 0.5 * 0.5 + 1));
  aitken.perform(0, 1);
  // r₀ = 1, r₁ = 1.25 − 0.5 = 0.75: ω = −0.5 · (1 · (0.75 − 1)) / 0.25² = 2.
  assert.equal(aitken.factor, 2);
  readLayout(layout, x);
  assert.equal(x[1], 2, "the end sample lands on its fixed point");
  assert.equal(x[0], 2 * (-0.8 * 4.5 + 9) - 4.5, "the first sample is relaxed by the same factor");
});

test("Aitken's first iteration of a window takes the last factor's sign and at most the initial factor's size", () => {
  const { layout } = waveformLayout([{ points: 1, samples: 1 }]);
  const aitken = new AitkenRelaxation(0.5);
  aitken.initialize(layout);
  // x̃ = −3x + 4 (fixed point 1): the secant factor is 0.25.
  const map = affineMap(Float64Array.of(-3), Float64Array.of(4));
  const first = runWindow(aitken, layout, map, 0, 1e-14, 10);
  assert.ok(first.converged);
  assert.equal(aitken.factor, 0.25);
  startNextWindow(layout);
  const x = new Float64Array(1);
  layout.fields[0]?.start.set([0]);
  writeLayout(layout, Float64Array.of(4));
  aitken.perform(1, 0);
  readLayout(layout, x);
  assert.equal(aitken.factor, 0.25, "|0.25| < 0.5 is kept");
  assert.equal(x[0], 1);

  // A factor above the initial one is clipped to it at the next window's first iteration, its sign kept.
  const flipped = new AitkenRelaxation(0.2);
  flipped.initialize(layout);
  // x̃ = 3x − 2 (fixed point 1, repelling): the secant factor is −0.5.
  const repelling = affineMap(Float64Array.of(3), Float64Array.of(-2));
  layout.fields[0]?.start.set([0]);
  assert.ok(runWindow(flipped, layout, repelling, 0, 1e-14, 10).converged);
  assert.ok(Math.abs(flipped.factor + 0.5) < 1e-12, `${flipped.factor}`);
  layout.fields[0]?.start.set([0]);
  writeLayout(layout, Float64Array.of(-2));
  flipped.perform(1, 0);
  assert.equal(flipped.factor, -0.2, "clipped to the initial 0.2, the sign kept");
});

test("Aitken converges on a low-rank contraction where constant relaxation needs many more iterations", () => {
  const random = seededRandom(2);
  const { layout, size } = waveformLayout([{ points: 6, samples: 3 }]);
  const map = affineMap(
    lowRankContraction(size, 4, random, 0.9),
    Float64Array.from({ length: size }, () => random()),
  );
  const counts: number[] = [];
  for (const acceleration of [new AitkenRelaxation(0.5), new ConstantRelaxation(0.5)]) {
    acceleration.initialize(layout);
    for (const field of layout.fields) field.start.fill(0);
    const outcome = runWindow(acceleration, layout, map, 0, 1e-10, 500);
    assert.ok(outcome.converged, acceleration.name);
    counts.push(outcome.iterations);
  }
  assert.ok((counts[0] as number) * 1.5 < (counts[1] as number), `Aitken ${counts[0]}, constant ${counts[1]}`);
});

test("with several fields Aitken's factor weighs them by the residual-sum preconditioner", () => {
  // Two uncoupled scalar problems of magnitudes 1e6 and 1; unscaled, the large one alone would set the factor.
  const { layout } = waveformLayout([
    { points: 1, samples: 1 },
    { points: 1, samples: 1 },
  ]);
  const map = (x: Float64Array, out: Float64Array) => {
    out[0] = -0.5 * (x[0] as number) + 3e6;
    out[1] = 0.9 * (x[1] as number) + 0.1;
  };
  const counts: number[] = [];
  for (const kind of ["residual-sum", "none"] as const) {
    const aitken = new AitkenRelaxation(0.5, new Preconditioner(kind));
    aitken.initialize(layout);
    for (const field of layout.fields) field.start.fill(0);
    const outcome = runWindow(aitken, layout, map, 0, 1e-12, 400);
    assert.ok(outcome.converged, kind);
    counts.push(outcome.iterations);
  }
  assert.notEqual(counts[0], counts[1], `the preconditioner changes the factors (${counts.join(" vs ")})`);
});
