// Interpolation in time (src/bspline): the TypeScript weights against the
// golden file the C and Python clients are held to as well, and against an
// evaluation that shares no code with it: the B-spline's basis by the
// recursive definition, its control points by dense Gaussian elimination with
// partial pivoting, its value by de Boor's algorithm. Degree-p interpolation
// reproduces every polynomial of degree ≤ p and passes through the samples.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { combineSamples, TimeInterpolation } from "../../src/bspline/index.ts";
import { computeGoldenInterpolation, type GoldenInterpolation } from "./time-interpolation-cases.ts";

const golden = JSON.parse(readFileSync(new URL("./time-interpolation.json", import.meta.url), "utf8")) as {
  version: number;
  cases: GoldenInterpolation[];
};

test("the TypeScript weights are the golden file's", () => {
  const computed = computeGoldenInterpolation();
  assert.equal(computed.length, golden.cases.length);
  computed.forEach((item, index) => {
    const expected = golden.cases[index] as GoldenInterpolation;
    assert.deepEqual(item.times, expected.times);
    assert.equal(item.usedDegree, expected.usedDegree);
    item.reads.forEach((read, r) => {
      const want = expected.reads[r]?.weights ?? [];
      read.weights.forEach((weight, i) => {
        assert.ok(Math.abs(weight - (want[i] as number)) <= 1e-13, `case ${index}, read ${read.time}, weight ${i}`);
      });
    });
  });
});

test("the golden file covers the branches: degree 0, used degree below the requested, sample times, B-splines", () => {
  const used = new Set(golden.cases.map((item) => `${item.degree}/${item.usedDegree}`));
  for (const pair of ["0/0", "1/1", "2/2", "3/3", "3/0", "2/1", "3/2"]) assert.ok(used.has(pair), pair);
  const uneven = golden.cases[3] as GoldenInterpolation; // degree 3, six samples
  const at = (time: number) => uneven.reads.find((read) => read.time === time)?.weights ?? [];
  assert.deepEqual(at(0.113), [0, 1, 0, 0, 0, 0], "a sample time gives that sample");
  assert.deepEqual(at(0.113 + 5e-15), [0, 1, 0, 0, 0, 0], "within 1e-14 of a sample time too");
  assert.ok(at(0.12).filter((weight) => weight !== 0).length > 4, "a global interpolant between samples");
  const constant = golden.cases[0] as GoldenInterpolation;
  const first = (time: number) => constant.reads.find((read) => read.time === time)?.weights.indexOf(1);
  assert.deepEqual([first(0.105), first(0.113), first(0.12), first(0.09), first(0.2 + 1e-12)], [1, 1, 2, 0, 5]);
});

// ---- an independent evaluation ----------------------------------------

function knotAveraging(u: number[], p: number): number[] {
  const n = u.length;
  const knots = new Array<number>(n + p + 1).fill(0);
  for (let j = n; j <= n + p; j++) knots[j] = 1;
  for (let j = 1; j < n - p; j++) knots[j + p] = u.slice(j, j + p).reduce((a, b) => a + b, 0) / p;
  return knots;
}

/** N_{i,p}(u) by the recursive definition; the last interval is closed at u = 1. */
function basis(i: number, p: number, u: number, knots: number[]): number {
  const k = (index: number) => knots[index] as number;
  if (p === 0) {
    if (k(i) <= u && u < k(i + 1)) return 1;
    const last = knots.length - 1;
    return u === k(last) && k(i + 1) === k(last) && k(i) < k(i + 1) ? 1 : 0;
  }
  const a = k(i + p) === k(i) ? 0 : ((u - k(i)) / (k(i + p) - k(i))) * basis(i, p - 1, u, knots);
  const b =
    k(i + p + 1) === k(i + 1) ? 0 : ((k(i + p + 1) - u) / (k(i + p + 1) - k(i + 1))) * basis(i + 1, p - 1, u, knots);
  return a + b;
}

function solveDense(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, i) => [...row, rhs[i] as number]);
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i]?.[k] as number) > Math.abs(a[pivot]?.[k] as number)) pivot = i;
    [a[k], a[pivot]] = [a[pivot] as number[], a[k] as number[]];
    const row = a[k] as number[];
    for (let i = k + 1; i < n; i++) {
      const other = a[i] as number[];
      const factor = (other[k] as number) / (row[k] as number);
      for (let j = k; j <= n; j++) other[j] = (other[j] as number) - factor * (row[j] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const row = a[i] as number[];
    let sum = row[n] as number;
    for (let j = i + 1; j < n; j++) sum -= (row[j] as number) * (x[j] as number);
    x[i] = sum / (row[i] as number);
  }
  return x;
}

/** de Boor's algorithm: the spline with control points c on `knots` at u. */
function deBoor(u: number, p: number, knots: number[], c: number[]): number {
  const n = c.length;
  let s = p;
  while (s < n - 1 && (knots[s + 1] as number) <= u) s++;
  const d = c.slice(s - p, s + 1);
  for (let r = 1; r <= p; r++) {
    for (let j = p; j >= r; j--) {
      const i = j + s - p;
      const alpha = (u - (knots[i] as number)) / ((knots[i + p - r + 1] as number) - (knots[i] as number));
      d[j] = (1 - alpha) * (d[j - 1] as number) + alpha * (d[j] as number);
    }
  }
  return d[p] as number;
}

function referenceValue(times: number[], values: number[], p: number, t: number): number {
  const first = times[0] as number;
  const span = (times[times.length - 1] as number) - first;
  const u = times.map((time) => (time - first) / span);
  const knots = knotAveraging(u, p);
  const matrix = u.map((ui) => u.map((_, j) => basis(j, p, ui, knots)));
  const control = solveDense(matrix, values);
  return deBoor(Math.min(1, Math.max(0, (t - first) / span)), p, knots, control);
}

function interpolate(times: number[], values: number[], degree: number, t: number): number {
  const interpolation = new TimeInterpolation(times.length);
  interpolation.prepare(times, times.length, degree);
  const weights = new Float64Array(times.length);
  interpolation.weights(t, weights);
  const samples = values.map((value) => new Float64Array([value]));
  return combineSamples(samples, weights, times.length, new Float64Array(1))[0] as number;
}

/** A small deterministic generator, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function unevenTimes(next: () => number, n: number, start: number): number[] {
  const times = [start];
  for (let i = 1; i < n; i++) times.push((times[i - 1] as number) + 0.002 + 0.02 * next());
  return times;
}

test("degree 1 to 3 agree with de Boor's algorithm on control points solved independently", () => {
  const next = random(17);
  let compared = 0;
  for (let trial = 0; trial < 40; trial++) {
    const n = 2 + Math.floor(next() * 12);
    const times = unevenTimes(next, n, 3 * next());
    const values = times.map(() => 10 * next() - 5);
    for (let degree = 1; degree <= 3; degree++) {
      const p = Math.min(degree, n - 1);
      for (let r = 0; r < 7; r++) {
        const t = (times[0] as number) + next() * ((times[n - 1] as number) - (times[0] as number));
        const expected = referenceValue(times, values, p, t);
        const actual = interpolate(times, values, degree, t);
        assert.ok(
          Math.abs(actual - expected) <= 1e-10 * Math.max(1, Math.abs(expected)),
          `n ${n} degree ${degree} t ${t}: ${actual} vs de Boor ${expected}`,
        );
        compared++;
      }
    }
  }
  assert.equal(compared, 40 * 3 * 7);
});

test("degree-p interpolation reproduces polynomials of degree ≤ p and passes through every sample", () => {
  const next = random(5);
  for (let degree = 1; degree <= 3; degree++) {
    for (let order = 0; order <= degree; order++) {
      const coefficients = Array.from({ length: order + 1 }, () => 4 * next() - 2);
      const polynomial = (t: number) => coefficients.reduce((sum, c, k) => sum + c * (t - 0.3) ** k, 0);
      const times = unevenTimes(next, 9, 0.3);
      const values = times.map(polynomial);
      for (let r = 0; r < 20; r++) {
        const t = (times[0] as number) + next() * ((times[8] as number) - (times[0] as number));
        const error = Math.abs(interpolate(times, values, degree, t) - polynomial(t));
        assert.ok(error <= 1e-11, `degree ${degree}, polynomial of order ${order}, t ${t}: off by ${error}`);
      }
      // A polynomial of a higher order is not reproduced: the check above can fail.
      const cubic = (t: number) => (t - 0.3) ** (degree + 1) * 1e4;
      const off = Math.abs(interpolate(times, times.map(cubic), degree, 0.33) - cubic(0.33));
      assert.ok(off > 1e-9, `degree ${degree} should not reproduce order ${degree + 1} (off by ${off})`);
    }
    const times = unevenTimes(next, 7, 1);
    const values = times.map(() => next());
    times.forEach((time, i) => {
      assert.equal(interpolate(times, values, degree, time), values[i]);
    });
  }
});

test("weights sum to one, and preparing and weighing allocate nothing after the first use", () => {
  const interpolation = new TimeInterpolation(101);
  const times = Array.from({ length: 101 }, (_, i) => i * 0.001);
  const weights = new Float64Array(101);
  for (let degree = 0; degree <= 3; degree++) {
    interpolation.prepare(times, 101, degree);
    interpolation.weights(0.0123, weights);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  }
  const run = () => {
    for (let k = 0; k < 2000; k++) {
      interpolation.prepare(times, 101, 3);
      interpolation.weights(0.0005 + k * 1e-5, weights);
    }
  };
  run();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  run();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 256 * 1024, `heap grew ${grown} bytes over 2000 prepares and reads`);
});

test("bad arguments are refused by name", () => {
  const interpolation = new TimeInterpolation(4);
  assert.throws(() => interpolation.weights(0, new Float64Array(4)), /weights before prepare/);
  assert.throws(() => interpolation.prepare([0, 1, 2, 3, 4], 5, 1), /5 samples, outside 1..4/);
  assert.throws(() => interpolation.prepare([0, 1], 2, 4), /degree 4 is outside 0..3/);
  interpolation.prepare([0, 1, 2], 3, 2);
  assert.throws(() => interpolation.weights(0.5, new Float64Array(2)), /2 weights, 3 samples/);
  assert.throws(() => new TimeInterpolation(0), /capacity 0/);
});
