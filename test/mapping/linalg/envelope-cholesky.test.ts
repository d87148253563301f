import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvelopeCholesky } from "../../../src/mapping/linalg/envelope-cholesky.ts";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { seededRandom } from "../../support/seeded-random.ts";

/** A random SPD matrix whose row i has no entries left of first[i] (banded with a ragged edge). */
function banded(n: number, seed: number): { first: Int32Array; value: (i: number, j: number) => number } {
  const random = seededRandom(seed);
  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) first[i] = Math.max(0, i - 1 - Math.floor(random() * 9));
  const entries = new Map<number, number>();
  for (let i = 0; i < n; i++) for (let j = first[i] as number; j < i; j++) entries.set(i * n + j, random() - 0.5);
  const value = (i: number, j: number): number => {
    if (i === j) return 10;
    const [row, column] = i > j ? [i, j] : [j, i];
    return entries.get(row * n + column) ?? 0;
  };
  return { first, value };
}

for (const n of [1, 2, 5, 8, 37, 200]) {
  test(`envelope Cholesky solves a ragged banded SPD system of ${n} rows`, () => {
    const { first, value } = banded(n, n);
    const matrix = EnvelopeCholesky.fromFirstColumns(first);
    for (let i = 0; i < n; i++) for (let j = first[i] as number; j <= i; j++) matrix.set(i, j, value(i, j));
    assert.ok(matrix.entryCount < (n * (n + 1)) / 2 || n < 10);
    matrix.factor();
    const random = seededRandom(99);
    const b = Float64Array.from({ length: n }, () => random());
    const x = new Float64Array(n);
    matrix.solve(b, x);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += value(i, j) * (x[j] as number);
      assert.ok(Math.abs(sum - (b[i] as number)) < 1e-12, `row ${i}: ${sum} vs ${b[i]}`);
    }
  });
}

test("dense envelope Cholesky matches a direct solve and can solve in place", () => {
  const n = 23;
  const random = seededRandom(4);
  const points = Array.from({ length: n }, () => [random(), random()]);
  const value = (i: number, j: number): number => {
    const [xi = 0, yi = 0] = points[i] as number[];
    const [xj = 0, yj = 0] = points[j] as number[];
    return Math.exp(-((xi - xj) ** 2 + (yi - yj) ** 2) * 10);
  };
  const matrix = EnvelopeCholesky.dense(n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) matrix.set(i, j, value(i, j));
  matrix.factor();
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const b = x.slice();
  matrix.solve(x, x);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += value(i, j) * (x[j] as number);
    assert.ok(Math.abs(sum - (b[i] as number)) < 1e-8);
  }
});

test("a matrix that is not positive definite is refused with the row named", () => {
  const matrix = EnvelopeCholesky.dense(3);
  for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) matrix.set(i, j, 1);
  assert.throws(
    () => matrix.factor("rbf patch 7"),
    (error: unknown) =>
      error instanceof MappingError &&
      /rbf patch 7: the kernel matrix is not positive definite at row 1/.test(error.message),
  );
  assert.throws(
    () => EnvelopeCholesky.fromFirstColumns(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7])).set(5, 2, 1),
    /outside the envelope/,
  );
});
