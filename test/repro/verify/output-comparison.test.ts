import assert from "node:assert/strict";
import { test } from "node:test";
import { compareField, toleranceRule } from "../../../src/repro/verify/output-comparison.ts";

const next = (value: number) => {
  const bits = new BigInt64Array(new Float64Array([value]).buffer);
  bits[0] = (bits[0] as bigint) + 1n;
  return new Float64Array(bits.buffer)[0] as number;
};

test("identical bits are identical under every rule, NaN and -0 included", () => {
  const values = new Float64Array([1, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-310]);
  for (const tolerance of [undefined, { absolute: 0 }, { relative: 0 }, { ulps: 0 }]) {
    const result = compareField("a.m.f", values, values.slice(), tolerance);
    assert.equal(result.matches, true);
    assert.equal(result.identical, true);
    assert.equal(result.changed, 0);
    assert.equal(result.largest, undefined);
  }
});

test("bitwise by default: one ulp is a difference, and the worst value is named", () => {
  const recorded = new Float64Array([1, 2, 3]);
  const replayed = new Float64Array([1, next(2), 3.5]);
  const result = compareField("a.m.f", recorded, replayed);
  assert.equal(result.rule, "bitwise");
  assert.equal(result.matches, false);
  assert.equal(result.differing, 2);
  assert.deepEqual(result.largest, {
    index: 2,
    recorded: 3,
    replayed: 3.5,
    absolute: 0.5,
    relative: 0.5 / 3.5,
    ulps: 2 ** 50,
  });
});

test("ulps count representable doubles between the values, across zero", () => {
  const tiny = Number.MIN_VALUE;
  assert.equal(compareField("f", new Float64Array([tiny]), new Float64Array([-tiny]), { ulps: 2 }).matches, true);
  assert.equal(compareField("f", new Float64Array([tiny]), new Float64Array([-tiny]), { ulps: 1 }).matches, false);
  assert.equal(compareField("f", new Float64Array([0]), new Float64Array([-0]), { ulps: 0 }).matches, true);
  assert.equal(
    compareField("f", new Float64Array([1]), new Float64Array([next(next(1))]), { ulps: 2 }).largest?.ulps,
    2,
  );
});

test("absolute and relative bounds are inclusive; a NaN matches only a NaN", () => {
  assert.equal(compareField("f", new Float64Array([1]), new Float64Array([1.5]), { absolute: 0.5 }).matches, true);
  assert.equal(compareField("f", new Float64Array([1]), new Float64Array([1.5]), { absolute: 0.49 }).matches, false);
  assert.equal(compareField("f", new Float64Array([100]), new Float64Array([101]), { relative: 0.01 }).matches, true);
  assert.equal(compareField("f", new Float64Array([100]), new Float64Array([102]), { relative: 0.01 }).matches, false);
  const quiet = new Float64Array([Number.NaN]);
  const other = new Float64Array(new BigInt64Array([0x7ff8000000000001n]).buffer);
  assert.equal(compareField("f", quiet, other, { absolute: 0 }).matches, true, "two NaNs under a tolerance");
  assert.equal(compareField("f", quiet, other).matches, false, "but not bitwise when their payloads differ");
  assert.equal(compareField("f", quiet, new Float64Array([1]), { absolute: 1e300 }).matches, false);
  const counted = compareField("f", new Float64Array([1, 2]), new Float64Array([1 + 1e-15, 2]), { relative: 1e-12 });
  assert.deepEqual([counted.matches, counted.identical, counted.changed, counted.differing], [true, false, 1, 0]);
});

test("fields of different lengths are a difference with its reason", () => {
  const result = compareField("f", new Float64Array(3), new Float64Array(2));
  assert.equal(result.matches, false);
  assert.equal(result.problem, "3 values recorded, 2 in the replay");
});

test("the rule is named as the composition declares it", () => {
  assert.equal(toleranceRule(undefined), "bitwise");
  assert.equal(toleranceRule({ relative: 1e-12 }), "relative 1e-12");
  assert.equal(toleranceRule({ ulps: 4 }), "ulps 4");
  assert.equal(toleranceRule({ absolute: 0.001 }), "absolute 0.001");
});
