// IQN-IMVJ: the Jacobian it carries from window to window makes later
// windows of a linear problem that changes in time converge in far fewer
// iterations than IQN-ILS without reuse, in every restart mode; rs-0 drops
// it every chunk + 1 windows, rs-svd compresses it, rs-ls restarts from the
// last windows' least-squares Jacobian. The truncated SVD itself is checked
// against the matrix it compresses.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Acceleration } from "../../../src/coupling/acceleration/acceleration.ts";
import { FactoredJacobian } from "../../../src/coupling/acceleration/factored-jacobian.ts";
import { IqnIls } from "../../../src/coupling/acceleration/iqn-ils.ts";
import { IqnImvj, type RestartMode } from "../../../src/coupling/acceleration/iqn-imvj.ts";
import { Preconditioner } from "../../../src/coupling/acceleration/preconditioner.ts";
import type { QuasiNewtonSettings } from "../../../src/coupling/acceleration/quasi-newton.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { affineMap, lowRankContraction, runWindow, startNextWindow, waveformLayout } from "./fixed-point-problems.ts";

function settings(): QuasiNewtonSettings {
  return {
    initialRelaxation: 0.5,
    maxColumns: 12,
    windowsReused: 0,
    filter: "qr2",
    filterLimit: 1e-3,
    preconditioner: new Preconditioner("residual-sum"),
  };
}

/** 20 windows of x̃ = A x + b(t), A of rank 6 on 32 values in two fields; iterations and Jacobian terms per window. */
function timeVaryingRun(acceleration: Acceleration): { iterations: number[]; terms: number[] } {
  const random = seededRandom(5);
  const { layout, size } = waveformLayout([
    { points: 5, samples: 4 },
    { points: 3, samples: 4 },
  ]);
  const a = lowRankContraction(size, 6, random, 0.95);
  acceleration.initialize(layout);
  const b = new Float64Array(size);
  const iterations: number[] = [];
  const terms: number[] = [];
  for (let window = 0; window < 20; window++) {
    for (let index = 0; index < size; index++) b[index] = Math.sin(index + window);
    const outcome = runWindow(acceleration, layout, affineMap(a, b), window, 1e-10, 100);
    assert.ok(outcome.converged, `${acceleration.name}, window ${window}`);
    iterations.push(outcome.iterations);
    terms.push(acceleration instanceof IqnImvj ? acceleration.jacobianTerms : 0);
    startNextWindow(layout);
  }
  return { iterations, terms };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

test("the Jacobian carried across windows beats IQN-ILS without reuse in every restart mode", () => {
  const ils = timeVaryingRun(new IqnIls(settings()));
  for (const mode of ["none", "rs-0", "rs-ls", "rs-svd"] as const) {
    const imvj = timeVaryingRun(new IqnImvj(settings(), { mode, chunk: 3, truncation: 1e-3, reusedWindows: 3 }));
    assert.equal(imvj.iterations[0], ils.iterations[0], `${mode}: the first window has nothing to carry`);
    assert.ok(sum(imvj.iterations) * 1.5 < sum(ils.iterations), `${mode}: ${imvj.iterations} vs ILS ${ils.iterations}`);
  }
});

test("rs-0 drops the Jacobian every chunk + 1 windows; rs-svd compresses it; rs-ls restarts from the last windows' columns", () => {
  const chunk = 3;
  const restart = (mode: RestartMode) =>
    timeVaryingRun(new IqnImvj(settings(), { mode, chunk, truncation: 1e-3, reusedWindows: 2 })).terms;
  const zero = restart("rs-0");
  zero.forEach((terms, window) => {
    assert.equal(terms === 0, (window + 1) % (chunk + 1) === 0, `rs-0 terms ${zero}`);
  });
  const svd = restart("rs-svd");
  // At the first restart (window 3) the four windows' terms are compressed: fewer, never more than the values.
  assert.ok((svd[3] as number) < (svd[2] as number) && (svd[3] as number) <= 32, `rs-svd terms ${svd}`);
  assert.ok(svd.every((terms) => terms > 0));
  const least = restart("rs-ls");
  assert.ok(
    least.every((terms) => terms > 0),
    `rs-ls terms ${least}`,
  );
});

test("restart settings out of range are refused", () => {
  assert.throws(
    () => new IqnImvj(settings(), { mode: "rs-svd", chunk: 0, truncation: 1e-3, reusedWindows: 1 }),
    /chunk/,
  );
  assert.throws(
    () => new IqnImvj(settings(), { mode: "rs-svd", chunk: 2, truncation: 1, reusedWindows: 1 }),
    /truncation/,
  );
});

test("the factored Jacobian's truncated SVD reproduces a low-rank matrix exactly and drops what is below the truncation", () => {
  const random = seededRandom(8);
  const rows = 10;
  const jacobian = new FactoredJacobian(rows, 12);
  // J = sum of 6 terms of rank 3 overall (terms 3..5 repeat 0..2's directions).
  const base = Array.from({ length: 3 }, () => ({
    a: Float64Array.from({ length: rows }, () => random() - 0.5),
    b: Float64Array.from({ length: rows }, () => random() - 0.5),
  }));
  for (let copy = 0; copy < 2; copy++) for (const term of base) jacobian.append(term.a, 0, term.b, 0);
  const before = Array.from({ length: rows * rows }, (_, index) =>
    jacobian.entry(Math.floor(index / rows), index % rows),
  );
  const weights = Float64Array.from({ length: rows }, () => 0.5 + random());
  const rank = jacobian.compress(weights, 0, 12);
  assert.equal(rank, 3);
  for (let index = 0; index < rows * rows; index++) {
    const value = jacobian.entry(Math.floor(index / rows), index % rows);
    assert.ok(Math.abs(value - (before[index] as number)) < 1e-12, `J(${index}) ${value} vs ${before[index]}`);
  }
  // A term 1e-6 the size of the others goes at a truncation of 1e-4, and the rest is kept to that accuracy.
  jacobian.clear();
  for (const term of base) jacobian.append(term.a, 0, term.b, 0);
  const tiny = base[0]?.a.map((value) => value * 1e-6) as Float64Array;
  jacobian.append(
    tiny,
    0,
    Float64Array.from({ length: rows }, () => random() - 0.5),
    0,
  );
  assert.equal(jacobian.compress(new Float64Array(rows).fill(1), 1e-4, 12), 3);
  const x = Float64Array.from({ length: rows }, () => random());
  const out = new Float64Array(rows);
  jacobian.multiplyAdd(x, 0, out, 0);
  assert.ok(out.every((value) => Number.isFinite(value)));
});
