// The addon's numeric kernels against the TypeScript they replace, which
// stays the reference: the RBF-PU patch weights and the envelope Cholesky
// agree to rounding (the native ones reassociate sums and fuse multiply-adds),
// the k-d tree, the gather and the sparse product give the very same bits;
// splitting work across the kernel pool never changes a bit; and arrays of
// the wrong type or length are refused before anything is touched.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type KernelName, radialKernel } from "../../src/mapping/kernels/radial-kernel.ts";
import { EnvelopeCholesky } from "../../src/mapping/linalg/envelope-cholesky.ts";
import { MappingError } from "../../src/mapping/mapping-error.ts";
import { withNumericBackend } from "../../src/mapping/numeric-backend.ts";
import { BlockArena } from "../../src/mapping/operators/block-arena.ts";
import { queryChunks, queryNearest } from "../../src/mapping/operators/nearest-queries.ts";
import { orderedMesh } from "../../src/mapping/operators/ordered-mesh.ts";
import { LocalWeightsScratch, patchWeights } from "../../src/mapping/operators/rbf-local-weights.ts";
import {
  accumulateRowPointers,
  blendRowsTypeScript,
  coverageOf,
  type RowAssembly,
  rowLengths,
} from "../../src/mapping/operators/rbf-pu-assembly.ts";
import { patchGrid, placePatches } from "../../src/mapping/operators/rbf-pu-patches.ts";
import { SparseTransferOperator } from "../../src/mapping/operators/sparse-operator.ts";
import { KdTree, NeighbourList } from "../../src/mapping/spatial/kd-tree.ts";
import { mortonOrder } from "../../src/mapping/spatial/morton-order.ts";
import { native } from "../../src/native/index.ts";
import { gridPoints, randomPoints } from "../mapping/random-points.ts";
import { seededRandom } from "../support/seeded-random.ts";

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let index = 0; index < a.length; index++) {
    if (!Object.is(a[index], b[index])) assert.fail(`${what}: entry ${index} is ${a[index]} against ${b[index]}`);
  }
}

function relativeDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  let scale = 0;
  for (let index = 0; index < a.length; index++) {
    worst = Math.max(worst, Math.abs((a[index] as number) - (b[index] as number)));
    scale = Math.max(scale, Math.abs(b[index] as number));
  }
  return worst / Math.max(scale, 1e-300);
}

/** A patch: s source points around the origin and t receiving points among them, x y z triples. */
function patch(s: number, t: number, dimension: number, seed: number, spread = 0.3): [Float64Array, Float64Array] {
  const random = seededRandom(seed);
  const make = (count: number) => {
    const xyz = new Float64Array(3 * count);
    for (let point = 0; point < count; point++) {
      for (let axis = 0; axis < dimension; axis++) xyz[3 * point + axis] = spread * (2 * random() - 1);
    }
    return xyz;
  };
  return [make(s), make(t)];
}

type Field = (x: number, y: number, z: number) => number;
const linear: Field = (x, y, z) => 1.5 - x + 2 * y + 0.5 * z;
const fields: [string, Field][] = [
  ["linear", linear],
  ["smooth", (x, y, z) => Math.sin(3 * x) * Math.cos(2 * y) + z * z],
];

/** W f at the t receiving points, for f sampled at the s sources. */
function mapped(weights: Float64Array, sources: Float64Array, s: number, t: number, f: Field): Float64Array {
  const out = new Float64Array(t);
  for (let row = 0; row < t; row++) {
    let sum = 0;
    for (let j = 0; j < s; j++) {
      sum +=
        (weights[row * s + j] as number) *
        f(sources[3 * j] as number, sources[3 * j + 1] as number, sources[3 * j + 2] as number);
    }
    out[row] = sum;
  }
  return out;
}

function weightsBy(
  backend: "native" | "typescript",
  sources: Float64Array,
  s: number,
  targets: Float64Array,
  t: number,
  kernel: KernelName,
  radius: number,
  dimension: number,
): Float64Array {
  const rows = new Float64Array(t * s);
  withNumericBackend(backend, () =>
    patchWeights(
      sources,
      s,
      targets,
      t,
      radialKernel(kernel, radius),
      dimension,
      rows,
      new LocalWeightsScratch(),
      "patch",
    ),
  );
  return rows;
}

test("native RBF-PU patch weights agree with the TypeScript reference for every positive definite kernel, 1-D to 3-D", () => {
  for (const dimension of [1, 2, 3]) {
    // Supports a few point spacings wide: wider ones make patch matrices too ill-conditioned to compare.
    const support = [0.06, 0.3, 0.6][dimension - 1] as number;
    const cases: [KernelName, number][] = [
      ["wendland-c0", support],
      ["wendland-c2", support],
      ["wendland-c4", support],
      ["wendland-c6", support],
      ["gaussian", support / 5],
    ];
    for (const [kernel, radius] of cases) {
      // Sizes around the vector widths: 4-wide and 16-wide blocks, and what is left over.
      for (const [s, t] of [
        [7, 1],
        [23, 5],
        [50, 49],
        [61, 33],
      ] as const) {
        // 1-D patches spread wider: as many points on a line are much closer together.
        const [sources, targets] = patch(s, t, dimension, 31 * s + t + dimension, dimension === 1 ? 1 : 0.3);
        const reference = weightsBy("typescript", sources, s, targets, t, kernel, radius, dimension);
        const fast = weightsBy("native", sources, s, targets, t, kernel, radius, dimension);
        // Weights may differ in directions the patch matrix barely determines; what they map may not,
        // beyond rounding amplified by the conditioning of the smoothest kernels (1e-10 for C6 in 1-D).
        for (const [name, f] of fields) {
          const difference = relativeDifference(mapped(fast, sources, s, t, f), mapped(reference, sources, s, t, f));
          assert.ok(difference < 1e-9, `${dimension}-D ${kernel} s=${s} t=${t}, ${name} field: ${difference}`);
        }
        const exact = Float64Array.from({ length: t }, (_, row) =>
          linear(targets[3 * row] as number, targets[3 * row + 1] as number, targets[3 * row + 2] as number),
        );
        const error = relativeDifference(mapped(fast, sources, s, t, linear), exact);
        assert.ok(error < 1e-11, `${dimension}-D ${kernel} s=${s} t=${t} reproduces a linear field: ${error}`);
      }
    }
  }
});

test("native patch weights take the pseudo-inverse path for coplanar sources and still reproduce linear fields", () => {
  // 3-D patch whose sources all lie in z = 0: S is singular in z.
  const s = 30;
  const t = 9;
  const [sources, targets] = patch(s, t, 2, 5);
  for (let point = 0; point < t; point++) targets[3 * point + 2] = 0;
  const reference = weightsBy("typescript", sources, s, targets, t, "wendland-c2", 0.8, 3);
  const fast = weightsBy("native", sources, s, targets, t, "wendland-c2", 0.8, 3);
  assert.ok(relativeDifference(fast, reference) < 1e-9);
  const linear = (x: number, y: number) => 2 - x + 3 * y;
  for (let row = 0; row < t; row++) {
    let mapped = 0;
    for (let j = 0; j < s; j++)
      mapped += (fast[row * s + j] as number) * linear(sources[3 * j] as number, sources[3 * j + 1] as number);
    const exact = linear(targets[3 * row] as number, targets[3 * row + 1] as number);
    assert.ok(Math.abs(mapped - exact) < 1e-10, `row ${row}: ${mapped} vs ${exact}`);
  }
});

function denseSpd(n: number, seed: number): EnvelopeCholesky {
  // A Gaussian kernel matrix on random points plus a little diagonal: dense and well conditioned.
  const points = randomPoints(3, n, seed);
  const matrix = EnvelopeCholesky.dense(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let d2 = 0;
      for (let axis = 0; axis < 3; axis++) {
        const d = (points.coordinates[3 * i + axis] as number) - (points.coordinates[3 * j + axis] as number);
        d2 += d * d;
      }
      matrix.set(i, j, Math.exp(-d2 / 0.02) + (i === j ? 0.5 : 0));
    }
  }
  return matrix;
}

function ragged(n: number, seed: number): EnvelopeCholesky {
  const random = seededRandom(seed);
  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) first[i] = Math.max(0, i - 1 - Math.floor(random() * 90));
  const matrix = EnvelopeCholesky.fromFirstColumns(first);
  for (let i = 0; i < n; i++) {
    for (let j = matrix.start(i); j < i; j++) matrix.set(i, j, j >= (first[i] as number) ? (random() - 0.5) * 0.1 : 0);
    matrix.set(i, i, 10);
  }
  return matrix;
}

function copyOf(matrix: EnvelopeCholesky, make: () => EnvelopeCholesky): EnvelopeCholesky {
  const copy = make();
  copy.values.set(matrix.values);
  return copy;
}

test("native envelope Cholesky agrees with the TypeScript reference, dense and ragged, and is the same on 1 and 3 threads", () => {
  for (const [name, make] of [
    ["dense 300", () => denseSpd(300, 1)],
    ["dense 131", () => denseSpd(131, 2)],
    ["ragged 700", () => ragged(700, 3)],
  ] as const) {
    const original = make();
    const reference = copyOf(original, make);
    withNumericBackend("typescript", () => reference.factor("reference"));
    const one = copyOf(original, make);
    const three = copyOf(original, make);
    withNumericBackend("native", () => {
      one.factor("native", 1);
      three.factor("native", 3);
    });
    sameBits(three.values, one.values, `${name}: factor on 3 threads`);
    assert.ok(relativeDifference(one.values, reference.values) < 1e-11, `${name}: factor`);
    const random = seededRandom(4);
    const b = Float64Array.from({ length: original.size }, () => random() - 0.5);
    const x = new Float64Array(original.size);
    const expected = new Float64Array(original.size);
    withNumericBackend("native", () => one.solve(b, x));
    withNumericBackend("typescript", () => reference.solve(b, expected));
    assert.ok(relativeDifference(x, expected) < 1e-10, `${name}: solve`);
  }
});

test("native envelope Cholesky names the row whose pivot is not positive", () => {
  const matrix = EnvelopeCholesky.dense(80);
  for (let i = 0; i < 80; i++) matrix.set(i, i, i === 70 ? -1 : 1);
  assert.throws(
    () => withNumericBackend("native", () => matrix.factor("the test system", 2)),
    (error: unknown) =>
      error instanceof MappingError && /the test system: .* at row 70 \(pivot -1\)/.test(error.message),
  );
});

test("native k-d tree builds the very arrays of the TypeScript one, whole or split in parts", () => {
  for (const points of [randomPoints(3, 20_000, 6), gridPoints(2, 60), randomPoints(1, 999, 7, "soa")]) {
    const reference = withNumericBackend("typescript", () => KdTree.build(points).arrays);
    const whole = withNumericBackend("native", () => KdTree.build(points).arrays);
    sameBits(whole.ids, reference.ids, "ids");
    sameBits(whole.coordinates, reference.coordinates, "coordinates");
    sameBits(whole.splitAxes, reference.splitAxes, "split axes");
    const parted = withNumericBackend("native", () => {
      const tree = KdTree.prepare(points, 12, true);
      const ranges = tree.splitTop(2);
      for (let part = 0; part < 3; part++) tree.buildRanges(ranges, part, 3);
      return tree.arrays;
    });
    sameBits(parted.ids, reference.ids, "ids of the parted build");
    sameBits(parted.splitAxes, reference.splitAxes, "split axes of the parted build");
  }
});

test("native nearest queries find the TypeScript answers, ties on a grid included, and the true nearest points", () => {
  for (const [tree, queries] of [
    [randomPoints(3, 5000, 1), randomPoints(3, 9000, 2, "soa")],
    // A grid queried by itself and by a shifted grid: many exact ties.
    [gridPoints(3, 17), gridPoints(3, 17)],
    [gridPoints(2, 40), randomPoints(2, 3000, 3)],
  ] as const) {
    const order = mortonOrder(queries);
    const built = KdTree.build(tree);
    const reference = new Int32Array(queries.count);
    const fast = new Int32Array(queries.count);
    withNumericBackend("typescript", () =>
      queryNearest(built, queries, order, reference, 0, queryChunks(queries.count)),
    );
    withNumericBackend("native", () => queryNearest(built, queries, order, fast, 0, queryChunks(queries.count)));
    sameBits(fast, reference, "partners");
  }
  // Against brute force.
  const tree = randomPoints(3, 700, 4);
  const queries = randomPoints(3, 300, 5);
  const partners = new Int32Array(300);
  withNumericBackend("native", () => queryNearest(KdTree.build(tree), queries, mortonOrder(queries), partners, 0, 1));
  const at = (points: typeof tree, index: number, axis: number) => points.coordinates[3 * index + axis] as number;
  const distance = (q: number, p: number) =>
    (at(queries, q, 0) - at(tree, p, 0)) ** 2 +
    (at(queries, q, 1) - at(tree, p, 1)) ** 2 +
    (at(queries, q, 2) - at(tree, p, 2)) ** 2;
  for (let q = 0; q < 300; q++) {
    let best = 0;
    for (let p = 1; p < 700; p++) if (distance(q, p) < distance(q, best)) best = p;
    assert.equal(distance(q, partners[q] as number), distance(q, best), `query ${q}`);
  }
});

test("the native gather and sparse product give the TypeScript apply's bits, on one thread or several", () => {
  const random = seededRandom(12);
  const rows = 60_000;
  const columns = 50_000;
  const rowPointers = new Int32Array(rows + 1);
  const entries: number[] = [];
  const weights: number[] = [];
  for (let row = 0; row < rows; row++) {
    const length = Math.floor(random() * 30);
    for (let n = 0; n < length; n++) {
      entries.push(Math.floor(random() * columns));
      weights.push(random() - 0.5);
    }
    rowPointers[row + 1] = entries.length;
  }
  const matrix = {
    rowCount: rows,
    columnCount: columns,
    rowPointers,
    columns: Int32Array.from(entries),
    weights: Float64Array.from(weights),
  };
  const source = Float64Array.from({ length: columns }, () => random() * 1e3 - 500);
  const reference = new Float64Array(rows);
  withNumericBackend("typescript", () => new SparseTransferOperator("rbf-pu", false, matrix).apply(source, reference));
  for (const threads of [1, 2, 5]) {
    const out = new Float64Array(rows);
    withNumericBackend("native", () => new SparseTransferOperator("rbf-pu", false, matrix, threads).apply(source, out));
    sameBits(out, reference, `sparse product on ${threads} threads`);
  }
  const partners = Int32Array.from({ length: rows }, () => Math.floor(random() * columns));
  const gathered = new Float64Array(rows);
  for (const threads of [1, 3]) {
    // Filled afresh, so that a value one run left behind cannot pass for the next run's.
    gathered.fill(Number.NaN);
    native.gather(source, gathered, partners, threads);
    for (let row = 0; row < rows; row++) assert.equal(gathered[row], source[partners[row] as number]);
  }
  assert.ok(native.kernelPoolThreads() >= 2, "the pool started its threads once and keeps them");
});

test("the native kernels refuse arrays of the wrong type or length before touching them", () => {
  const source = new Float64Array(10);
  assert.throws(() => native.gather(source, new Float64Array(4), new Int32Array(5), 1), RangeError);
  assert.throws(() => native.gather(source, new Float64Array(4), new Float64Array(4) as never, 1), TypeError);
  assert.throws(
    () =>
      native.sparseMultiply(
        Int32Array.of(0, 5),
        new Int32Array(2),
        new Float64Array(2),
        source,
        new Float64Array(1),
        1,
      ),
    RangeError,
  );
  assert.throws(
    () => native.envelopeFactor(new Float64Array(2), Int32Array.of(0, 0), Int32Array.of(0, 1), 1, new Float64Array(1)),
    RangeError,
  );
  const coordinates = new Float64Array(30);
  assert.throws(
    () => native.kdTreeBuild(coordinates, new Int32Array(10), new Uint8Array(9), 12, 0, 10, -1, null),
    RangeError,
  );
  assert.throws(
    () => native.kdTreeBuild(coordinates, new Int32Array(10), new Uint8Array(10), 12, 0, 11, -1, null),
    RangeError,
  );
  assert.throws(
    () =>
      native.patchWeights(
        new Float64Array(6),
        3,
        new Float64Array(3),
        1,
        5,
        1,
        new Float64Array(5),
        new Float64Array(3),
        new Float64Array(16),
        false,
      ),
    RangeError,
  );
});

test("native RBF-PU row lengths and row blends are the TypeScript's bit for bit", () => {
  const from = randomPoints(3, 3000, 21);
  const to = randomPoints(3, 2500, 22, "soa");
  const source = orderedMesh(from, false);
  const target = orderedMesh(to, false);
  const grid = patchGrid(target.xyz, to.count, 3, 0.12, 50, 0.15);
  const patches = placePatches(
    KdTree.fromArrays(source.tree),
    KdTree.fromArrays(target.tree),
    grid,
    0,
    grid.cells[2],
    false,
  );
  const coverage = coverageOf(patches, to.count, target.order, false);
  const lengths = (backend: "native" | "typescript") => {
    const rowPointers = new Int32Array(to.count + 1);
    withNumericBackend(backend, () =>
      rowLengths(patches, coverage, target.order, from.count, 0, to.count, rowPointers),
    );
    return rowPointers;
  };
  const rowPointers = lengths("native");
  sameBits(rowPointers, lengths("typescript"), "row lengths");
  accumulateRowPointers(rowPointers);
  // Random blocks for every patch, in one arena; then every row from them, both ways.
  const random = seededRandom(23);
  const arena = new BlockArena(0, patches.count, 1024);
  for (let patch = 0; patch < patches.count; patch++) {
    const size =
      ((patches.sourceStarts[patch + 1] as number) - (patches.sourceStarts[patch] as number)) *
      ((patches.targetStarts[patch + 1] as number) - (patches.targetStarts[patch] as number));
    const offset = arena.take(patch, size);
    for (let index = 0; index < size; index++) arena.data[offset + index] = random() - 0.5;
  }
  const rowAssembly = () =>
    native.rowAssembly(
      patches.sourceStarts,
      patches.sources,
      coverage.starts,
      coverage.patches,
      coverage.rows,
      coverage.weights,
      coverage.weightSums,
      source.order,
      target.order,
    );
  const rows = (backend: "native" | "typescript") => {
    const entries = rowPointers[to.count] as number;
    const assembly: RowAssembly = {
      sourceXyz: source.xyz,
      targetXyz: target.xyz,
      sourceOrder: source.order,
      targetOrder: target.order,
      patches,
      coverage,
      kernel: radialKernel("wendland-c2", 0.1),
      dimension: 3,
      rowPointers,
      columns: new Int32Array(entries),
      weights: new Float64Array(entries),
    };
    const slot = new Int32Array(from.count).fill(-1);
    const positions = Int32Array.from({ length: to.count }, (_, index) => index);
    if (backend === "typescript") blendRowsTypeScript(assembly, arena, 0, positions, 0, to.count, slot);
    else {
      const handle = rowAssembly();
      native.blendRows(
        handle,
        rowPointers,
        assembly.columns,
        assembly.weights,
        arena.data,
        arena.offsets,
        0,
        positions,
        0,
        to.count,
        slot,
      );
    }
    return assembly;
  };
  const [fast, reference] = [rows("native"), rows("typescript")];
  sameBits(fast.columns, reference.columns, "columns");
  sameBits(fast.weights, reference.weights, "weights");
  // A block offset outside the arena is refused before anything is written.
  const bad = Int32Array.from(arena.offsets);
  bad[0] = arena.data.length;
  const handle = rowAssembly();
  assert.throws(
    () =>
      native.blendRows(
        handle,
        rowPointers,
        fast.columns,
        fast.weights,
        arena.data,
        bad,
        0,
        Int32Array.from({ length: to.count }, (_, i) => i),
        0,
        to.count,
        new Int32Array(from.count).fill(-1),
      ),
    /outside the arena/,
  );
});

test("native radius queries find the TypeScript's neighbours in the same order, growing a list too small for them", () => {
  const points = randomPoints(3, 8000, 31);
  const tree = KdTree.build(points);
  const random = seededRandom(32);
  for (let query = 0; query < 200; query++) {
    const [x, y, z] = [random(), random(), random()];
    const radius = 0.02 + 0.2 * random();
    const reference = new NeighbourList(4);
    const fast = new NeighbourList(4);
    withNumericBackend("typescript", () => tree.withinRadius(x, y, z, radius, reference));
    const found = withNumericBackend("native", () => tree.withinRadius(x, y, z, radius, fast));
    assert.equal(found, reference.count);
    sameBits(fast.indices.subarray(0, found), reference.indices.subarray(0, found), `query ${query}: indices`);
    sameBits(
      fast.distancesSquared.subarray(0, found),
      reference.distancesSquared.subarray(0, found),
      `query ${query}: distances`,
    );
  }
});
