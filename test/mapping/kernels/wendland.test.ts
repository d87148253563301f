import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateKernel, KERNEL_NAMES, radialKernel } from "../../../src/mapping/kernels/radial-kernel.ts";
import { type WendlandSmoothness, wendland } from "../../../src/mapping/kernels/wendland.ts";
import { EnvelopeCholesky } from "../../../src/mapping/linalg/envelope-cholesky.ts";
import { randomPoints } from "../random-points.ts";

const SMOOTHNESS: WendlandSmoothness[] = [0, 2, 4, 6];

test("Wendland functions are 1 at the centre, decrease, and vanish at and beyond the support", () => {
  for (const k of SMOOTHNESS) {
    assert.equal(wendland(k, 0), 1);
    assert.equal(wendland(k, 1), 0);
    assert.equal(wendland(k, 1.5), 0);
    let previous = 1;
    for (let r = 0.01; r < 1; r += 0.01) {
      const value = wendland(k, r);
      assert.ok(value > 0 && value < previous, `C${k} at ${r}`);
      previous = value;
    }
  }
});

test("smoother Wendland functions meet zero more smoothly at the support", () => {
  // Near r = 1 the function behaves like (1 - r)^(k + 2); the slope there vanishes for k ≥ 2.
  for (const k of SMOOTHNESS) {
    const order = Math.log(wendland(k, 1 - 2e-4) / wendland(k, 1 - 1e-4)) / Math.log(2);
    assert.ok(Math.abs(order - (k + 2)) < 0.05, `C${k}: order ${order}`);
  }
});

test("kernel matrices of the positive definite kernels are positive definite on scattered 3-D points", () => {
  const points = randomPoints(3, 300, 12);
  for (const name of KERNEL_NAMES) {
    if (name === "tps") continue;
    const kernel = radialKernel(name, name === "gaussian" ? 0.1 : 0.5);
    const matrix = EnvelopeCholesky.dense(300);
    const c = points.coordinates;
    for (let i = 0; i < 300; i++) {
      for (let j = 0; j <= i; j++) {
        const d = Math.hypot(
          (c[3 * i] as number) - (c[3 * j] as number),
          (c[3 * i + 1] as number) - (c[3 * j + 1] as number),
          (c[3 * i + 2] as number) - (c[3 * j + 2] as number),
        );
        matrix.set(i, j, evaluateKernel(kernel, d));
      }
    }
    assert.doesNotThrow(() => matrix.factor(name));
  }
});

test("kernels by name: thin-plate spline r² log r, Gaussian exp(-(r/l)²), radius checked", () => {
  const tps = radialKernel("tps");
  assert.equal(evaluateKernel(tps, 0), 0);
  assert.ok(Math.abs(evaluateKernel(tps, 2) - 4 * Math.log(2)) < 1e-15);
  assert.ok(Math.abs(evaluateKernel(radialKernel("gaussian", 2), 2) - Math.exp(-1)) < 1e-15);
  assert.equal(radialKernel("wendland-c2", 1).compact, true);
  assert.equal(tps.positiveDefinite, false);
  assert.throws(() => radialKernel("gaussian"), /kernel gaussian needs a radius \(its length scale\) > 0/);
  assert.throws(() => radialKernel("wendland-c4", 0), /kernel wendland-c4 needs a radius \(its support radius\)/);
});
