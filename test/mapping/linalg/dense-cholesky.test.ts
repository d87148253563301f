import assert from "node:assert/strict";
import { test } from "node:test";
import { DenseCholesky } from "../../../src/mapping/linalg/dense-cholesky.ts";
import { seededRandom } from "../../support/seeded-random.ts";

for (const n of [1, 2, 3, 7, 48]) {
  test(`solving ${n}×${n} with 1 to 9 right-hand sides at once matches one at a time`, () => {
    const random = seededRandom(n);
    const a = new Float64Array(n * n);
    const rows = Array.from({ length: n + 3 }, () => Array.from({ length: n }, () => random() - 0.5));
    for (const row of rows)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) a[i * n + j] = (a[i * n + j] as number) + (row[i] as number) * (row[j] as number);
    for (let i = 0; i < n; i++) a[i * n + i] = (a[i * n + i] as number) + 0.1;
    const cholesky = new DenseCholesky(4);
    cholesky.factor(a, n, "test");
    for (let count = 1; count <= 9; count++) {
      const b = Float64Array.from({ length: count * n }, () => random());
      const x = b.slice();
      cholesky.solveRows(x, count);
      for (let r = 0; r < count; r++) {
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let j = 0; j < n; j++) sum += (a[i * n + j] as number) * (x[r * n + j] as number);
          assert.ok(Math.abs(sum - (b[r * n + i] as number)) < 1e-9, `rhs ${r} row ${i}`);
        }
      }
    }
  });
}
