import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { checkFinite } from "../../src/coupling/finite-check.ts";

test("checkFinite finds the first NaN or ±Infinity, wherever it is, and -1 when there is none", () => {
  for (const length of [0, 1, 7, 8, 9, 3000, 3001]) {
    const values = new Float64Array(length).map((_, index) => Math.sin(index) * 1e300);
    assert.equal(checkFinite(values), -1, `${length} finite values`);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const at of [0, length >> 1, length - 1]) {
        if (at < 0 || at >= length) continue;
        const copy = values.slice();
        copy[at] = bad;
        if (at + 1 < length) copy[length - 1] = Number.NaN;
        assert.equal(checkFinite(copy), at, `${bad} at ${at} of ${length}`);
      }
    }
  }
});

test("checkFinite agrees with Number.isFinite on any array of doubles", () => {
  const double = fc.oneof(
    fc.double(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, Number.MAX_VALUE, 5e-324),
  );
  fc.assert(
    fc.property(fc.array(double, { maxLength: 70 }), (list) => {
      const expected = list.findIndex((value) => !Number.isFinite(value));
      assert.equal(checkFinite(Float64Array.from(list)), expected);
    }),
    { numRuns: 2000 },
  );
});
