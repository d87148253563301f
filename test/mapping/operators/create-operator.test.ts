import assert from "node:assert/strict";
import { test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { createOperator } from "../../../src/mapping/operators/create-operator.ts";
import type { TransferSpec } from "../../../src/mapping/operators/transfer-spec.ts";
import { heapGrowthPerApply } from "../apply-allocation.ts";
import { maxAbsDifference, randomPoints, sample, sum, toSoa } from "../random-points.ts";

const SPECS: TransferSpec[] = [
  { method: "nearest" },
  { method: "mls" },
  { method: "mls", basis: "quadratic", radius: 0.5 },
  { method: "rbf", kernel: "wendland-c4", radius: 0.4 },
  { method: "rbf", kernel: "tps" },
  { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3 },
];

test("createOperator builds every method, consistent and conservative, and each keeps its promise", () => {
  const source = randomPoints(3, 800, 1);
  const target = randomPoints(3, 600, 2);
  const linear = (x: number, y: number, z: number) => 3 - x + 2 * y + 0.25 * z;
  const field = sample(source, (x, y, z) => Math.exp(x) * Math.sin(4 * y) + z);
  for (const spec of SPECS) {
    const consistent = createOperator(source, target, spec);
    assert.equal(consistent.method, spec.method);
    assert.equal(consistent.conservative, false);
    assert.equal(consistent.sourceCount, 800);
    assert.equal(consistent.targetCount, 600);
    assert.ok(consistent.byteLength > 0);
    const mapped = new Float64Array(600);
    if (spec.method !== "nearest") {
      consistent.apply(sample(source, linear), mapped);
      assert.ok(maxAbsDifference(mapped, sample(target, linear)) < 1e-12 * 4, JSON.stringify(spec));
    }
    const conservative = createOperator(source, target, { ...spec, conservative: true });
    assert.equal(conservative.conservative, true);
    conservative.apply(field, mapped);
    assert.ok(Math.abs(sum(mapped) - sum(field)) < 1e-12 * Math.abs(sum(field)), JSON.stringify(spec));
  }
});

test("every operator gives the same result on structure-of-arrays and interleaved layouts", () => {
  const source = randomPoints(3, 500, 3);
  const target = randomPoints(3, 300, 4);
  const field = sample(source, (x, y, z) => Math.cos(3 * x) + y * z);
  for (const spec of SPECS) {
    for (const conservative of [false, true]) {
      const a = new Float64Array(300);
      const b = new Float64Array(300);
      createOperator(source, target, { ...spec, conservative }).apply(field, a);
      createOperator(toSoa(source), toSoa(target), { ...spec, conservative }).apply(field, b);
      assert.ok(maxAbsDifference(a, b) < 1e-12, JSON.stringify(spec));
    }
  }
});

test("every operator applies into the caller's buffer, again and again, allocating nothing", async () => {
  const source = randomPoints(3, 120, 5);
  const target = randomPoints(3, 100, 6);
  for (const spec of SPECS) {
    for (const conservative of [false, true]) {
      const operator = createOperator(source, target, { ...spec, conservative });
      const out = new Float64Array(100);
      const field = sample(source, (x) => x);
      operator.apply(field, out);
      const first = out.slice();
      operator.apply(field, out);
      assert.deepEqual(out, first);
      const growth = await heapGrowthPerApply(operator);
      assert.ok(growth < 12, `${JSON.stringify(spec)}: heap grew ${growth} bytes per apply`);
    }
  }
});

test("createOperator refuses an invalid spec before any setup", () => {
  const points = randomPoints(2, 10, 1);
  assert.throws(
    () => createOperator(points, points, { method: "rbf", k: 3 }),
    (error: unknown) =>
      error instanceof MappingError && /transfer\.k: k does not apply to method rbf/.test(error.message),
  );
});
