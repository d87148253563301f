// Fixed-point problems with known answers for the accelerations' tests, the
// accelerated vector laid out as the driver lays it (sample views over a
// shared buffer with a padded stride, as in a waveform segment), and the
// iteration the driver runs: evaluate x̃ = H(x), measure, accelerate.
import type { AcceleratedLayout, Acceleration } from "../../../src/coupling/acceleration/acceleration.ts";

/** Fields of `points` values and `samples` samples each, over one shared buffer with a 64-byte-aligned stride. */
export function waveformLayout(fields: { points: number; samples: number }[]): {
  layout: AcceleratedLayout;
  size: number;
} {
  let doubles = 0;
  const strides = fields.map((field) => Math.ceil(field.points / 8) * 8);
  fields.forEach((field, index) => {
    doubles += (field.samples + 1) * (strides[index] as number);
  });
  const buffer = new SharedArrayBuffer(doubles * 8);
  let offset = 0;
  let size = 0;
  const layout: AcceleratedLayout = {
    fields: fields.map((field, index) => {
      const stride = strides[index] as number;
      const start = new Float64Array(buffer, offset * 8, field.points);
      const samples = Array.from(
        { length: field.samples },
        (_, sample) => new Float64Array(buffer, (offset + (sample + 1) * stride) * 8, field.points),
      );
      offset += (field.samples + 1) * stride;
      size += field.samples * field.points;
      return { label: `field${index}`, start, samples };
    }),
  };
  return { layout, size };
}

/** Copies between the layout's sample views (in order) and a flat vector, allocating nothing. */
export function readLayout(layout: AcceleratedLayout, into: Float64Array): void {
  let offset = 0;
  const fields = layout.fields;
  for (let field = 0; field < fields.length; field++) {
    const samples = (fields[field] as AcceleratedLayout["fields"][number]).samples;
    for (let sample = 0; sample < samples.length; sample++) {
      const view = samples[sample] as Float64Array;
      into.set(view, offset);
      offset += view.length;
    }
  }
}

export function writeLayout(layout: AcceleratedLayout, from: Float64Array): void {
  let offset = 0;
  const fields = layout.fields;
  for (let field = 0; field < fields.length; field++) {
    const samples = (fields[field] as AcceleratedLayout["fields"][number]).samples;
    for (let sample = 0; sample < samples.length; sample++) {
      const view = samples[sample] as Float64Array;
      for (let index = 0; index < view.length; index++) view[index] = from[offset + index] as number;
      offset += view.length;
    }
  }
}

/** x̃ = H(x) on flat vectors. */
export type FixedPointMap = (x: Float64Array, out: Float64Array) => void;

/** H(x) = A x + b, A dense row-major. */
export function affineMap(a: Float64Array, b: Float64Array): FixedPointMap {
  const n = b.length;
  return (x, out) => {
    for (let i = 0; i < n; i++) {
      let value = b[i] as number;
      for (let j = 0; j < n; j++) value += (a[i * n + j] as number) * (x[j] as number);
      out[i] = value;
    }
  };
}

/** A = Σ_{k<rank} σ_k u_k v_kᵀ with orthonormal u, v and |σ_k| < 1: a contraction of exactly that rank. */
export function lowRankContraction(n: number, rank: number, random: () => number, largest = 0.9): Float64Array {
  const u = orthonormalColumns(n, rank, random);
  const v = orthonormalColumns(n, rank, random);
  const a = new Float64Array(n * n);
  for (let k = 0; k < rank; k++) {
    const sigma = (k % 2 === 0 ? -1 : 1) * largest * (1 - k / (2 * rank));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        a[i * n + j] = (a[i * n + j] as number) + sigma * (u[k * n + i] as number) * (v[k * n + j] as number);
    }
  }
  return a;
}

function orthonormalColumns(n: number, count: number, random: () => number): Float64Array {
  const columns = new Float64Array(n * count);
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < n; i++) columns[k * n + i] = random() - 0.5;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (columns[k * n + i] as number) * (columns[j * n + i] as number);
        for (let i = 0; i < n; i++)
          columns[k * n + i] = (columns[k * n + i] as number) - dot * (columns[j * n + i] as number);
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += (columns[k * n + i] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) columns[k * n + i] = (columns[k * n + i] as number) / norm;
  }
  return columns;
}

export function norm(vector: Float64Array): number {
  let squares = 0;
  for (const value of vector) squares += value * value;
  return Math.sqrt(squares);
}

export function distance(a: Float64Array, b: Float64Array): number {
  let squares = 0;
  for (let index = 0; index < a.length; index++) squares += ((a[index] as number) - (b[index] as number)) ** 2;
  return Math.sqrt(squares);
}

export interface WindowOutcome {
  /** Evaluations of H until ‖x̃ − x‖ ≤ limit ‖x̃‖ (the driver's relative measure), or maxIterations. */
  iterations: number;
  converged: boolean;
  /** The final x̃. */
  solution: Float64Array;
}

/**
 * One window as the driver runs it: x₀ is the start value at every sample; each
 * iteration writes x̃ = H(x) into the views, measures it against x and either
 * ends the window or asks the acceleration for the next x.
 */
export function runWindow(
  acceleration: Acceleration,
  layout: AcceleratedLayout,
  map: FixedPointMap,
  window: number,
  limit: number,
  maxIterations: number,
): WindowOutcome {
  let size = 0;
  for (const field of layout.fields) size += field.samples.length * field.start.length;
  const x = new Float64Array(size);
  const xTilde = new Float64Array(size);
  let offset = 0;
  for (const field of layout.fields) {
    for (let sample = 0; sample < field.samples.length; sample++) {
      x.set(field.start, offset);
      offset += field.start.length;
    }
  }
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    map(x, xTilde);
    writeLayout(layout, xTilde);
    if (distance(xTilde, x) <= limit * norm(xTilde)) {
      acceleration.windowConverged(window);
      return { iterations: iteration + 1, converged: true, solution: xTilde.slice() };
    }
    if (iteration + 1 === maxIterations) break;
    acceleration.perform(window, iteration);
    readLayout(layout, x);
  }
  acceleration.windowConverged(window);
  return { iterations: maxIterations, converged: false, solution: xTilde.slice() };
}

/** The next window starts from the last one's end value: sample G of each field becomes sample 0. */
export function startNextWindow(layout: AcceleratedLayout): void {
  for (const field of layout.fields) field.start.set(field.samples[field.samples.length - 1] as Float64Array);
}
