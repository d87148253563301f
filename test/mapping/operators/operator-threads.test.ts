// Operators set up and applied on several threads are the one-thread
// operators bit for bit (nearest, RBF-PU, global RBF, both directions), at
// sizes where the work really is split; the native kernels' operators match
// the TypeScript reference's; and a bad threads option is named.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { MappingError } from "../../../src/mapping/mapping-error.ts";
import { withNumericBackend } from "../../../src/mapping/numeric-backend.ts";
import { createOperator } from "../../../src/mapping/operators/create-operator.ts";
import { setupNearestNeighbour } from "../../../src/mapping/operators/nearest-neighbour.ts";
import { closeOperatorThreads } from "../../../src/mapping/operators/operator-threads.ts";
import { setupRbfPartitionOfUnity } from "../../../src/mapping/operators/rbf-partition-of-unity.ts";
import type { SparseTransferOperator } from "../../../src/mapping/operators/sparse-operator.ts";
import type { TransferOperator } from "../../../src/mapping/operators/transfer-operator.ts";
import { heapGrowthPerApply } from "../apply-allocation.ts";
import { gridPoints, randomPoints, sample } from "../random-points.ts";

after(() => closeOperatorThreads());

const smooth = (x: number, y: number, z: number) => Math.sin(3 * x) * Math.cos(2 * y) + z * z;

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let index = 0; index < a.length; index++) {
    if (!Object.is(a[index], b[index])) assert.fail(`${what}: entry ${index} is ${a[index]} against ${b[index]}`);
  }
}

function applied(operator: TransferOperator, field: Float64Array): Float64Array {
  const out = new Float64Array(operator.targetCount);
  operator.apply(field, out);
  return out;
}

test("nearest neighbour on 2 and 3 threads finds exactly the one-thread partners, ties on grids included", () => {
  const cases = [
    // 60,000 targets: the consistent apply gathers on several threads from 50,000 up.
    [randomPoints(3, 40_000, 1), randomPoints(3, 60_000, 2, "soa")],
    // Both meshes on one grid: every target has a tie at distance 0 or between several points.
    [gridPoints(3, 30), gridPoints(3, 30)],
  ] as const;
  for (const [source, target] of cases) {
    for (const conservative of [false, true]) {
      const one = setupNearestNeighbour(source, target, { conservative });
      const field = sample(source, smooth);
      const expected = applied(one, field);
      for (const threads of [2, 3]) {
        const many = setupNearestNeighbour(source, target, { conservative, threads });
        sameBits(many.partners, one.partners, `partners on ${threads} threads${conservative ? ", conservative" : ""}`);
        sameBits(applied(many, field), expected, `apply on ${threads} threads`);
      }
    }
  }
});

test("RBF-PU on 2 and 3 threads is the one-thread operator bit for bit, consistent and conservative", () => {
  const source = randomPoints(3, 12_000, 3);
  const target = randomPoints(3, 9_000, 4, "soa");
  for (const conservative of [false, true]) {
    const options = { kernel: "wendland-c2", radius: 0.2, conservative } as const;
    const one = setupRbfPartitionOfUnity(source, target, options);
    for (const threads of [2, 3]) {
      const many = setupRbfPartitionOfUnity(source, target, { ...options, threads });
      const [a, b] = [one.matrix, many.matrix];
      sameBits(b.rowPointers, a.rowPointers, `row pointers on ${threads} threads`);
      sameBits(b.columns, a.columns, `columns on ${threads} threads`);
      sameBits(b.weights, a.weights, `weights on ${threads} threads`);
      const field = sample(source, smooth);
      sameBits(applied(many, field), applied(one, field), `apply on ${threads} threads`);
    }
  }
});

test("global RBF factored on 2 threads maps exactly as on one", () => {
  const source = randomPoints(3, 700, 5);
  const target = randomPoints(3, 500, 6);
  const field = sample(source, smooth);
  for (const spec of [
    { method: "rbf", kernel: "tps" },
    { method: "rbf", kernel: "gaussian", radius: 0.15 },
    { method: "rbf", kernel: "wendland-c2", radius: 0.4 },
  ] as const) {
    const one = createOperator(source, target, spec);
    const two = createOperator(source, target, spec, { threads: 2 });
    sameBits(applied(two, field), applied(one, field), `${spec.kernel} on 2 threads`);
  }
});

test("operators built with the native kernels map as the TypeScript reference's do", () => {
  const large = [randomPoints(3, 4000, 7), randomPoints(3, 3000, 8)] as const;
  // Dense global systems in TypeScript take seconds beyond a thousand points.
  const small = [randomPoints(3, 1200, 7), randomPoints(3, 900, 8)] as const;
  for (const spec of [
    { method: "nearest" },
    { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3 },
    { method: "rbf-pu", kernel: "gaussian", radius: 0.05 },
    { method: "rbf", kernel: "tps" },
    { method: "rbf", kernel: "wendland-c2", radius: 0.3 },
  ] as const) {
    const [source, target] = spec.method === "rbf" ? small : large;
    const field = sample(source, smooth);
    const reference = withNumericBackend("typescript", () => applied(createOperator(source, target, spec), field));
    const fast = withNumericBackend("native", () => applied(createOperator(source, target, spec), field));
    let worst = 0;
    for (let index = 0; index < reference.length; index++) {
      worst = Math.max(worst, Math.abs((fast[index] as number) - (reference[index] as number)));
    }
    const limit = spec.method === "nearest" ? 0 : 1e-9;
    assert.ok(worst <= limit, `${spec.method} ${"kernel" in spec ? spec.kernel : ""}: ${worst}`);
  }
});

test("a threaded nearest apply allocates nothing on the JavaScript heap", async () => {
  const operator = setupNearestNeighbour(randomPoints(3, 60_000, 9), randomPoints(3, 60_000, 10), { threads: 2 });
  const growth = await heapGrowthPerApply(operator, 5000);
  assert.ok(growth < 12, `heap grew ${growth} bytes per apply`);
});

test("threads must be a whole number from 1 to 256, named as such", () => {
  const points = randomPoints(3, 50, 11);
  for (const threads of [0, 1.5, 1000]) {
    assert.throws(
      () => createOperator(points, points, { method: "nearest" }, { threads }),
      (error: unknown) =>
        error instanceof MappingError && /threads must be a whole number from 1 to 256/.test(error.message),
    );
  }
  const operator = createOperator(
    points,
    points,
    { method: "rbf-pu", radius: 0.5 },
    { threads: 2 },
  ) as SparseTransferOperator;
  assert.equal(operator.threads, 2);
});
