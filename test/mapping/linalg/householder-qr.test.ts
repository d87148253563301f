import assert from "node:assert/strict";
import { test } from "node:test";
import { HouseholderQr } from "../../../src/mapping/linalg/householder-qr.ts";
import { seededRandom } from "../../support/seeded-random.ts";

function reconstructionError(matrix: Float64Array, rows: number, columns: number, qr: HouseholderQr): number {
  let worst = 0;
  for (let j = 0; j < qr.rank; j++) {
    const column = new Float64Array(rows);
    for (let i = 0; i <= j; i++) column[i] = qr.r[i * columns + j] as number;
    qr.apply(column);
    const original = qr.permutation[j] as number;
    for (let i = 0; i < rows; i++)
      worst = Math.max(worst, Math.abs((column[i] as number) - (matrix[original * rows + i] as number)));
  }
  return worst;
}

test("column-pivoted Householder QR reconstructs the matrix and Q is orthogonal", () => {
  const random = seededRandom(2);
  for (const rows of [4, 30, 301]) {
    const matrix = new Float64Array(rows * 4);
    for (let i = 0; i < rows; i++) {
      matrix[i] = 1;
      for (let j = 1; j < 4; j++) matrix[j * rows + i] = (random() - 0.5) * 10 ** j;
    }
    const qr = new HouseholderQr(matrix, rows, 4);
    assert.equal(qr.rank, 4);
    assert.ok(reconstructionError(matrix, rows, 4, qr) < 1e-9 * 1000);
    const x = Float64Array.from({ length: rows }, () => random());
    const y = x.slice();
    qr.applyTranspose(y);
    qr.apply(y);
    for (let i = 0; i < rows; i++) assert.ok(Math.abs((y[i] as number) - (x[i] as number)) < 1e-13);
  }
});

test("coplanar points give rank 3 of the linear basis 1, x, y, z", () => {
  const random = seededRandom(8);
  const rows = 50;
  const matrix = new Float64Array(rows * 4);
  for (let i = 0; i < rows; i++) {
    const x = random();
    const y = random();
    matrix[i] = 1;
    matrix[rows + i] = x;
    matrix[2 * rows + i] = y;
    matrix[3 * rows + i] = 0.5 * x - 2 * y + 0.3;
  }
  const qr = new HouseholderQr(matrix, rows, 4);
  assert.equal(qr.rank, 3);
  assert.ok(reconstructionError(matrix, rows, 4, qr) < 1e-12);
});
