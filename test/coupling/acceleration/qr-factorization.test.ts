// The updated QR factorisation against the matrix it factorises: after any
// sequence of insertions (front, middle, back) and deletions, Q R equals the
// columns in their order and Q's columns are orthonormal; dependent columns and
// columns below the filter's limit are refused; the least-squares solve is the
// normal equations' solution.
import assert from "node:assert/strict";
import { test } from "node:test";
import { QrFactorization } from "../../../src/coupling/acceleration/qr-factorization.ts";
import { seededRandom } from "../../support/seeded-random.ts";

function check(qr: QrFactorization, columns: Float64Array[], weights: Float64Array): void {
  assert.equal(qr.cols, columns.length);
  const rows = qr.rows;
  for (let j = 0; j < qr.cols; j++) {
    for (let i = 0; i < qr.cols; i++) {
      let dot = 0;
      for (let row = 0; row < rows; row++) dot += (qr.q[i * rows + row] as number) * (qr.q[j * rows + row] as number);
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12, `QᵀQ(${i},${j}) = ${dot}`);
    }
    for (let i = j + 1; i < qr.cols; i++) assert.ok(qr.r[i * qr.capacity + j] === 0, `R(${i},${j}) below the diagonal`);
    const column = columns[j] as Float64Array;
    for (let row = 0; row < rows; row++) {
      let value = 0;
      for (let k = 0; k <= j; k++) value += (qr.q[k * rows + row] as number) * (qr.r[k * qr.capacity + j] as number);
      const expected = (column[row] as number) * (weights[row] as number);
      assert.ok(
        Math.abs(value - expected) < 1e-12 * (1 + Math.abs(expected)),
        `(QR)(${row},${j}) = ${value}, V ${expected}`,
      );
    }
  }
}

test("insertions and deletions anywhere keep Q R equal to the columns, Q orthonormal and R triangular", () => {
  const random = seededRandom(7);
  const rows = 12;
  const weights = Float64Array.from({ length: rows }, () => 0.5 + random());
  const qr = new QrFactorization(rows, 8);
  const columns: Float64Array[] = [];
  const fresh = () => Float64Array.from({ length: rows }, () => random() - 0.5);
  for (let step = 0; step < 200; step++) {
    const choice = random();
    if (columns.length < 8 && (choice < 0.55 || columns.length === 0)) {
      const position = Math.floor(random() * (columns.length + 1));
      const column = fresh();
      assert.ok(qr.insert(position, column, 0, weights, false));
      columns.splice(position, 0, column);
    } else if (choice < 0.8) {
      const position = Math.floor(random() * columns.length);
      qr.remove(position);
      columns.splice(position, 1);
    } else {
      qr.removeLast();
      columns.pop();
    }
    check(qr, columns, weights);
  }
});

test("a column in the span of the others is refused, and the filter's limit refuses a nearly dependent one", () => {
  const rows = 6;
  const ones = new Float64Array(rows).fill(1);
  const qr = new QrFactorization(rows, 4);
  const a = Float64Array.of(1, 0, 0, 0, 0, 0);
  const b = Float64Array.of(0, 1, 0, 0, 0, 0);
  assert.ok(qr.insert(0, a, 0, ones, false));
  assert.ok(qr.insert(0, b, 0, ones, false));
  assert.equal(qr.insert(0, Float64Array.of(2, -3, 0, 0, 0, 0), 0, ones, false), false, "exactly dependent");
  const nearly = Float64Array.of(1, 1, 1e-4, 0, 0, 0);
  const strict = new QrFactorization(rows, 4, 1e-3);
  assert.ok(strict.insert(0, a, 0, ones, true) && strict.insert(0, b, 0, ones, true));
  assert.equal(strict.insert(0, nearly, 0, ones, true), false, "1e-4 of it is new, below the limit 1e-3");
  assert.ok(strict.insert(0, nearly, 0, ones, false), "the limit applies only when filtered");
  assert.ok(qr.insert(0, nearly, 0, ones, true), "a factorisation with limit 0 refuses only what is dependent");
  assert.equal(qr.insert(0, new Float64Array(rows), 0, ones, false), false, "a zero column");
  assert.equal(qr.cols, 3);
});

test("a square factorisation takes no more columns, and the solve is the least-squares solution", () => {
  const random = seededRandom(3);
  const rows = 5;
  const ones = new Float64Array(rows).fill(1);
  const qr = new QrFactorization(rows, 5);
  const columns: Float64Array[] = [];
  for (let j = 0; j < 5; j++) {
    const column = Float64Array.from({ length: rows }, () => random() - 0.5);
    assert.ok(qr.insert(qr.cols, column, 0, ones, false));
    columns.push(column);
  }
  assert.equal(
    qr.insert(
      0,
      Float64Array.from({ length: rows }, () => random()),
      0,
      ones,
      false,
    ),
    false,
  );
  qr.removeLast();
  qr.removeLast();
  columns.length = 3;
  const rhs = Float64Array.from({ length: rows }, () => random() - 0.5);
  const c = new Float64Array(5);
  qr.solve(rhs, c);
  // The residual rhs − V c is orthogonal to every column.
  for (const column of columns) {
    let dot = 0;
    for (let row = 0; row < rows; row++) {
      let fitted = 0;
      for (let j = 0; j < 3; j++) fitted += ((columns[j] as Float64Array)[row] as number) * (c[j] as number);
      dot += (column[row] as number) * ((rhs[row] as number) - fitted);
    }
    assert.ok(Math.abs(dot) < 1e-12, `residual·column = ${dot}`);
  }
});
