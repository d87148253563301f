import assert from "node:assert/strict";
import { test } from "node:test";
import { pseudoInverse } from "../../../src/mapping/kernels/schur-system.ts";
import {
  SymmetricSolver,
  symmetricEigen,
  wellConditionedInverse,
} from "../../../src/mapping/linalg/symmetric-solve.ts";
import { seededRandom } from "../../support/seeded-random.ts";

function gram(rows: number[][]): Float64Array {
  const n = rows[0]?.length ?? 0;
  const out = new Float64Array(n * n);
  for (const row of rows) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + (row[i] as number) * (row[j] as number);
  }
  return out;
}

function multiply(a: Float64Array, x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i] = (out[i] as number) + (a[i * n + j] as number) * (x[j] as number);
  return out;
}

test("Jacobi eigen-decomposition reconstructs a symmetric matrix", () => {
  const random = seededRandom(3);
  const n = 7;
  const a = gram(Array.from({ length: 12 }, () => Array.from({ length: n }, () => random() - 0.5)));
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  symmetricEigen(a.slice(), n, values, vectors);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++)
        sum += (vectors[i * n + k] as number) * (values[k] as number) * (vectors[j * n + k] as number);
      assert.ok(Math.abs(sum - (a[i * n + j] as number)) < 1e-13);
    }
  }
});

test("a well-conditioned system is solved by Cholesky", () => {
  const random = seededRandom(5);
  const n = 4;
  const a = gram(Array.from({ length: 10 }, () => Array.from({ length: n }, () => random())));
  const b = Float64Array.from([1, -2, 0.5, 3]);
  const solver = new SymmetricSolver(10);
  const x = new Float64Array(n);
  solver.solve(a, b, x, n);
  assert.equal(solver.usedPseudoInverse, false);
  const residual = multiply(a, x, n);
  for (let i = 0; i < n; i++) assert.ok(Math.abs((residual[i] as number) - (b[i] as number)) < 1e-10);
});

test("a singular system gets the minimum-norm solution through the pseudo-inverse", () => {
  // Rows lie in the plane of the first two axes: the third direction is absent.
  const a = gram([
    [1, 0, 0],
    [0, 2, 0],
    [1, 1, 0],
  ]);
  const solver = new SymmetricSolver(3);
  const x = new Float64Array(3);
  const b = Float64Array.from([2, 3, 0]);
  solver.solve(a, b, x, 3);
  assert.equal(solver.usedPseudoInverse, true);
  assert.equal(x[2], 0);
  const residual = multiply(a, x, 3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs((residual[i] as number) - (b[i] as number)) < 1e-12);
  solver.solve(new Float64Array(9), b, x, 3);
  assert.deepEqual([...x], [0, 0, 0]);
});

test("a well-conditioned matrix is inverted by Cholesky, as the pseudo-inverse would; a nearly singular one is left to it", () => {
  const random = seededRandom(11);
  for (const n of [1, 2, 3, 4]) {
    const a = gram(Array.from({ length: n + 2 }, () => Array.from({ length: n }, () => random() - 0.5)));
    const inverse = new Float64Array(n * n);
    assert.ok(wellConditionedInverse(a, n, inverse, new Float64Array(n * n)), `${n}×${n}`);
    const reference = pseudoInverse(a, n);
    for (let i = 0; i < n * n; i++) {
      assert.ok(
        Math.abs((inverse[i] as number) - (reference[i] as number)) < 1e-9 * Math.abs(reference[i] as number) + 1e-12,
      );
    }
  }
  // Rank 2 in 3-D, and rank 3 with an eigenvalue below the rank tolerance: the pseudo-inverse's business.
  for (const third of [0, 1e-7]) {
    const a = gram([
      [1, 2, 3],
      [0, 1, 1],
      [third, 0, 0],
    ]);
    assert.equal(wellConditionedInverse(a, 3, new Float64Array(9), new Float64Array(9)), false);
  }
});
