// A histogram of timing samples holds every sample once, in the bin its value falls in; bins are spaced
// logarithmically for positive samples, evenly when a sample is zero.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { histogram } from "../../src/stats/histogram.ts";

test("every sample lands in one bin, between the fastest and the slowest", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 3000 }), (values) => {
      const binned = histogram(Float64Array.from(values));
      assert.equal(binned.edges.length, binned.counts.length + 1);
      assert.equal(
        binned.counts.reduce((sum, count) => sum + count, 0),
        values.length,
      );
      assert.ok(binned.counts.length <= 40);
      for (let bin = 1; bin < binned.edges.length; bin++) {
        assert.ok((binned.edges[bin] as number) >= (binned.edges[bin - 1] as number), "edges ascend");
      }
      assert.equal(binned.edges[0], Math.min(...values));
      assert.equal(binned.edges.at(-1), Math.max(...values));
    }),
  );
});

test("positive samples get logarithmic bins, samples with a zero even ones, equal samples one bin", () => {
  // Sixteen samples allow four bins; each of the larger values lies inside a decade.
  const samples = Float64Array.from([1, 30, 300, 3000, 10000, ...new Array<number>(11).fill(5)]);
  const logarithmic = histogram(samples, samples.length, 4);
  assert.deepEqual(
    logarithmic.edges.map((edge) => Math.round(edge)),
    [1, 10, 100, 1000, 10000],
  );
  assert.deepEqual(logarithmic.counts, [12, 1, 1, 2]);
  assert.deepEqual(histogram(Float64Array.from([0, 1, 2, 3]), 4, 2), { edges: [0, 1.5, 3], counts: [2, 2] });
  assert.deepEqual(histogram(Float64Array.from([5, 5, 5])), { edges: [5, 5], counts: [3] });
  // Two samples whose logarithms round to one number: equal widths, every sample counted.
  const close = histogram(Float64Array.from([999999999.9999996, 999999999.9999982]));
  assert.deepEqual(close.counts, [1, 1]);
  assert.deepEqual(histogram(new Float64Array(8), 0), { edges: [], counts: [] });
  const firstTwo = histogram(Float64Array.from([1, 2, 1000]), 2);
  assert.deepEqual(firstTwo.counts, [1, 1], "only the first two samples");
  assert.deepEqual(
    firstTwo.edges.map((edge) => edge.toFixed(12)),
    ["1.000000000000", Math.SQRT2.toFixed(12), "2.000000000000"],
  );
});
