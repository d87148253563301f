// The quasi-Newton accelerations on a vector long enough for their column
// kernels to run across threads: every iterate they write is the same bytes on
// 1, 2 and 3 threads, over windows whose columns are dropped for the limit and
// for reuse and deleted by the filter. A kernel worker that dies is reported
// by name, not waited for.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { IqnIls } from "../../../src/coupling/acceleration/iqn-ils.ts";
import { IqnImvj, type RestartSettings } from "../../../src/coupling/acceleration/iqn-imvj.ts";
import { Preconditioner } from "../../../src/coupling/acceleration/preconditioner.ts";
import type { QrFilter, QuasiNewtonAcceleration } from "../../../src/coupling/acceleration/quasi-newton.ts";
import { ColumnAlgebra, MIN_THREADED_VALUES } from "../../../src/coupling/acceleration/threads/column-algebra.ts";
import { COLUMN_KERNELS } from "../../../src/coupling/acceleration/threads/column-kernel-table.ts";
import { AccelerationThreadError, KernelTeam } from "../../../src/coupling/acceleration/threads/kernel-team.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { readLayout, waveformLayout, writeLayout } from "./fixed-point-problems.ts";
import { heapGrowthPerCall } from "./heap-growth.ts";

/** 3 fields × 2 samples: 45 000 values, past the size that starts a team, in 11 row blocks with a short last one. */
const FIELDS = [
  { points: 9000, samples: 2 },
  { points: 7000, samples: 2 },
  { points: 6500, samples: 2 },
];

/** x̃ = b(t) + D x + U S Vᵀ x: a contraction of full rank whose action costs O(n · rank). */
function problem(size: number) {
  const random = seededRandom(11);
  const rank = 5;
  const diagonal = Float64Array.from({ length: size }, () => 0.6 * (random() - 0.5));
  const u = Float64Array.from({ length: size * rank }, () => (random() - 0.5) / Math.sqrt(size));
  const v = Float64Array.from({ length: size * rank }, () => (random() - 0.5) / Math.sqrt(size));
  const projections = new Float64Array(rank);
  return (x: Float64Array, out: Float64Array, window: number) => {
    for (let k = 0; k < rank; k++) {
      let dot = 0;
      for (let i = 0; i < size; i++) dot += (v[k * size + i] as number) * (x[i] as number);
      projections[k] = 2.5 * dot;
    }
    for (let i = 0; i < size; i++) {
      let value = Math.sin(i * 0.001 + window) * (1 + (i % 7)) + (diagonal[i] as number) * (x[i] as number);
      for (let k = 0; k < rank; k++) value += (u[k * size + i] as number) * (projections[k] as number);
      out[i] = value;
    }
  };
}

interface Trace {
  digest: string;
  iterations: number;
  filtered: number;
  dropped: number;
  threads: number;
}

/** Windows of a fixed number of iterations (convergence is not the point): a digest of every iterate written. */
function trace(acceleration: QuasiNewtonAcceleration): Trace {
  const { layout, size } = waveformLayout(FIELDS);
  const map = problem(size);
  acceleration.initialize(layout);
  const x = new Float64Array(size);
  const xTilde = new Float64Array(size);
  const hash = createHash("sha256");
  let iterations = 0;
  for (let window = 0; window < 4; window++) {
    readLayout(layout, x);
    for (const field of layout.fields) for (const sample of field.samples) sample.set(field.start);
    readLayout(layout, x);
    for (let iteration = 0; iteration < 7; iteration++) {
      map(x, xTilde, window);
      writeLayout(layout, xTilde);
      acceleration.perform(window, iteration);
      readLayout(layout, x);
      hash.update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      iterations++;
    }
    map(x, xTilde, window);
    writeLayout(layout, xTilde);
    acceleration.windowConverged(window);
    for (const field of layout.fields) field.start.set(field.samples[field.samples.length - 1] as Float64Array);
  }
  return {
    digest: hash.digest("hex"),
    iterations,
    filtered: acceleration.filtered,
    dropped: acceleration.dropped,
    threads: acceleration.threads,
  };
}

function settings(threads: number, filter: QrFilter) {
  return {
    initialRelaxation: 0.4,
    maxColumns: 9,
    windowsReused: 1,
    filter,
    filterLimit: 0.3,
    preconditioner: new Preconditioner("residual-sum"),
    threads,
  };
}

async function onEveryThreadCount(create: (threads: number) => QuasiNewtonAcceleration): Promise<Trace[]> {
  const traces: Trace[] = [];
  for (const threads of [1, 2, 3]) {
    const acceleration = create(threads);
    try {
      traces.push(trace(acceleration));
    } finally {
      await acceleration.close();
    }
  }
  return traces;
}

function assertSameBytes(name: string, traces: Trace[]): void {
  assert.deepEqual(
    traces.map((run) => run.threads),
    [1, 2, 3],
    `${name}: the threaded path was taken`,
  );
  const [first, ...others] = traces as [Trace, ...Trace[]];
  assert.ok(first.dropped > 0, `${name}: columns were dropped (${first.dropped})`);
  assert.ok(first.filtered > 0, `${name}: the filter deleted columns (${first.filtered})`);
  for (const other of others) {
    assert.equal(other.digest, first.digest, `${name}: iterates on ${other.threads} threads`);
    assert.equal(other.filtered, first.filtered);
    assert.equal(other.dropped, first.dropped);
  }
}

for (const filter of ["qr2", "qr3"] as const) {
  test(`IQN-ILS (${filter}) writes the same bytes on 1, 2 and 3 threads`, async () => {
    const traces = await onEveryThreadCount((threads) => new IqnIls(settings(threads, filter)));
    assertSameBytes(`iqn-ils ${filter}`, traces);
  });
}

for (const mode of ["rs-svd", "rs-ls"] as const) {
  test(`IQN-IMVJ (${mode}) writes the same bytes on 1, 2 and 3 threads`, async () => {
    const restart: RestartSettings = { mode, chunk: 1, truncation: 1e-3, reusedWindows: 1 };
    const traces = await onEveryThreadCount((threads) => new IqnImvj(settings(threads, "qr2"), restart));
    assertSameBytes(`iqn-imvj ${mode}`, traces);
  });
}

test("a product that goes to the workers allocates nothing on the calling thread", async () => {
  const rows = 1 << 15;
  const columns = MIN_THREADED_VALUES / rows;
  const algebra = new ColumnAlgebra(rows, { threads: 2 });
  try {
    assert.equal(algebra.threads, 2);
    const a = algebra.allocate(rows * columns).fill(0.25);
    const x = algebra.allocate(rows).fill(0.5);
    const out = new Float64Array(columns);
    const factors = new Float64Array(columns).fill(1e-3);
    const growth = await heapGrowthPerCall(
      () => {
        algebra.dots(a, 0, columns, x, 0, out);
        algebra.addColumns(a, 0, columns, factors, true, false, x, 0);
      },
      1000,
      200,
    );
    assert.ok(growth < 8, `the heap grew ${growth} bytes per call`);
  } finally {
    await algebra.close();
  }
});

test("a kernel worker that dies during a call is an AccelerationThreadError, and the team stays failed", async () => {
  const team = KernelTeam.start(2, new URL("./fixtures/dying-kernel-worker.ts", import.meta.url));
  try {
    team.dispatch(COLUMN_KERNELS.length);
    assert.throws(
      () => team.finish(),
      (error: unknown) =>
        error instanceof AccelerationThreadError && /acceleration thread 1 died during a kernel/.test(error.message),
    );
    assert.throws(() => team.dispatch(0), AccelerationThreadError);
  } finally {
    await team.close();
  }
});

test("a kernel worker whose code does not load makes the team's start fail by name", () => {
  assert.throws(
    () => KernelTeam.start(2, new URL("./fixtures/broken-kernel-worker.ts", import.meta.url)),
    (error: unknown) =>
      error instanceof AccelerationThreadError &&
      /acceleration thread 1 did not start \(it exited\)/.test(error.message),
  );
});
