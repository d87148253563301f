// The preconditioners' weights, as preCICE defines them: residual-sum
// 1 / Σ (‖r_f‖ / ‖r‖) over the window's iterations, reset only when a weight
// moves by more than 10× after the first window; value 1 / ‖x_f‖; constant
// 1 / the field's scaling; none ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Preconditioner } from "../../../src/coupling/acceleration/preconditioner.ts";

const offsets = Int32Array.of(0, 2, 3);

test("residual-sum weighs each field by the inverse of its summed share of the residual", () => {
  const preconditioner = new Preconditioner("residual-sum");
  preconditioner.initialize(offsets);
  // ‖r_0‖ = 3 (3, 0), ‖r_1‖ = 4: shares 0.6 and 0.8.
  preconditioner.update(false, new Float64Array(3), Float64Array.of(3, 0, 4));
  assert.deepEqual(
    [...preconditioner.weights].map((w) => +w.toFixed(12)),
    [1 / 0.6, 1 / 0.6, 1 / 0.8].map((w) => +w.toFixed(12)),
  );
  assert.ok(preconditioner.changed);
  preconditioner.changed = false;
  // The first window: weights follow every iteration (sums 1.2 and 1.6).
  preconditioner.update(false, new Float64Array(3), Float64Array.of(3, 0, 4));
  assert.ok(Math.abs((preconditioner.weights[2] as number) - 1 / 1.6) < 1e-12);
  preconditioner.update(true, new Float64Array(3), new Float64Array(3));
  // Later windows: a share that moves by less than 10× leaves the weights alone...
  preconditioner.changed = false;
  preconditioner.update(false, new Float64Array(3), Float64Array.of(4, 0, 3));
  assert.equal(preconditioner.changed, false);
  assert.ok(Math.abs((preconditioner.weights[2] as number) - 1 / 1.6) < 1e-12);
  // ...one that moves by more resets them.
  preconditioner.update(true, new Float64Array(3), new Float64Array(3));
  preconditioner.update(false, new Float64Array(3), Float64Array.of(1, 0, 1e-3));
  assert.ok(preconditioner.changed);
  assert.ok(Math.abs((preconditioner.weights[2] as number) - Math.sqrt(1 + 1e-6) / 1e-3) < 1e-9);
});

test("value weighs by the inverse norm of the values, constant by the inverse scaling, none by one", () => {
  const value = new Preconditioner("value");
  value.initialize(offsets);
  value.update(false, Float64Array.of(0, 2, 10), new Float64Array(3));
  assert.deepEqual([...value.weights], [0.5, 0.5, 0.1]);
  value.update(false, Float64Array.of(0, 4, 100), new Float64Array(3));
  assert.deepEqual([...value.weights], [0.5, 0.5, 0.1], "only at a window's end after the first iteration");
  value.update(true, Float64Array.of(0, 4, 100), new Float64Array(3));
  assert.deepEqual([...value.weights], [0.25, 0.25, 0.01]);
  const constant = new Preconditioner("constant", [2, 1e-4]);
  constant.initialize(offsets);
  assert.deepEqual([...constant.weights], [0.5, 0.5, 1e4]);
  assert.throws(() => new Preconditioner("constant", [1]).initialize(offsets), /one scaling factor per field \(2\)/);
  const none = new Preconditioner("none");
  none.initialize(offsets);
  none.update(false, Float64Array.of(5, 5, 5), Float64Array.of(5, 5, 5));
  assert.deepEqual([...none.weights], [1, 1, 1]);
});
