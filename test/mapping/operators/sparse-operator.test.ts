import assert from "node:assert/strict";
import { test } from "node:test";
import { CompressedRowsBuilder, transposeRows } from "../../../src/mapping/linalg/compressed-rows.ts";
import { SparseTransferOperator } from "../../../src/mapping/operators/sparse-operator.ts";
import { seededRandom } from "../../support/seeded-random.ts";

function randomRows(rows: number, columns: number, seed: number) {
  const random = seededRandom(seed);
  const dense = new Float64Array(rows * columns);
  const builder = new CompressedRowsBuilder(rows, columns, 1);
  // Rows finished in reverse order: the builder must lay them out in row order.
  for (let row = rows - 1; row >= 0; row--) {
    const entries = Math.floor(random() * 9);
    for (let entry = 0; entry < entries; entry++) {
      const column = Math.floor(random() * columns);
      const weight = random() - 0.5;
      dense[row * columns + column] = (dense[row * columns + column] as number) + weight;
      builder.add(column, weight);
    }
    builder.finishRow(row);
  }
  return { dense, rows: builder.build() };
}

test("a sparse operator's apply is the matrix-vector product, into the caller's buffer", () => {
  const { dense, rows } = randomRows(40, 25, 1);
  const operator = new SparseTransferOperator("mls", false, rows);
  const random = seededRandom(2);
  const source = Float64Array.from({ length: 25 }, () => random());
  const target = new Float64Array(40).fill(Number.NaN);
  operator.apply(source, target);
  for (let row = 0; row < 40; row++) {
    let sum = 0;
    for (let column = 0; column < 25; column++)
      sum += (dense[row * 25 + column] as number) * (source[column] as number);
    assert.ok(Math.abs(sum - (target[row] as number)) < 1e-14);
  }
  assert.throws(
    () => operator.apply(new Float64Array(24), target),
    /apply needs a source field of 25 values and a target buffer of 40; got 24 and 40/,
  );
});

test("the transpose swaps rows and columns entry for entry", () => {
  const { dense, rows } = randomRows(13, 31, 3);
  const transposed = transposeRows(rows);
  assert.equal(transposed.rowCount, 31);
  assert.equal(transposed.columnCount, 13);
  const rebuilt = new Float64Array(13 * 31);
  for (let row = 0; row < 31; row++) {
    for (
      let entry = transposed.rowPointers[row] as number;
      entry < (transposed.rowPointers[row + 1] as number);
      entry++
    ) {
      const column = transposed.columns[entry] as number;
      rebuilt[column * 31 + row] = (rebuilt[column * 31 + row] as number) + (transposed.weights[entry] as number);
    }
  }
  for (let index = 0; index < dense.length; index++)
    assert.ok(Math.abs((rebuilt[index] as number) - (dense[index] as number)) < 1e-15);
});

test("the builder refuses a row finished twice or never", () => {
  const builder = new CompressedRowsBuilder(2, 2);
  builder.finishRow(0);
  assert.throws(() => builder.finishRow(0), /row 0 was finished twice/);
  assert.throws(() => builder.build(), /row 1 was never finished/);
});
