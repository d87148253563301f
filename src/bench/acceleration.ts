// `conflux bench acceleration`: the quasi-Newton accelerations' cost per
// iteration on one large vector, on each thread count asked for, in one run
// (so the speedup against one thread compares like with like). The problem is
// synthetic and cheap beside the acceleration: x̃ = b + D x + a small
// perturbation that differs every evaluation, so each difference column is
// new and the history stays full. The history is filled first (windows are
// reused), then `iterations` perform() calls are timed, and every window's
// end (windowConverged) on its own. Every configuration is measured once in
// each of `repeat` rounds, interleaved (interleaved-rounds.ts), and the
// speedups are quotients of the rounds' medians.
import type { AcceleratedLayout } from "../coupling/acceleration/acceleration.ts";
import { IqnIls } from "../coupling/acceleration/iqn-ils.ts";
import { IqnImvj } from "../coupling/acceleration/iqn-imvj.ts";
import { Preconditioner } from "../coupling/acceleration/preconditioner.ts";
import type { QuasiNewtonAcceleration, QuasiNewtonSettings } from "../coupling/acceleration/quasi-newton.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";
import { type RepeatedDistribution, repeatedDistribution, runInterleavedRounds } from "./interleaved-rounds.ts";
import type { MachineDuring } from "./machine-load.ts";

export type AcceleratedMethod = "iqn-ils" | "iqn-imvj";
export const acceleratedMethods: readonly AcceleratedMethod[] = ["iqn-ils", "iqn-imvj"];

export interface AccelerationBenchmarkOptions {
  methods: readonly AcceleratedMethod[];
  sizes: readonly number[];
  columns: readonly number[];
  threads: readonly number[];
  /** Timed perform() calls per configuration, after the history is full. */
  iterations: number;
  /** Rounds of every configuration, interleaved (at least five). */
  repeat: number;
  log: (line: string) => void;
}

export interface AccelerationRun {
  method: AcceleratedMethod;
  size: number;
  columns: number;
  threads: number;
  /** The threads the acceleration really used (1 below the size that starts workers). */
  threadsUsed: number;
  /** µs per perform(), and per windowConverged(): each of the round whose p50 is the median. */
  iteration: Distribution;
  windowEnd: Distribution;
  /** Every round's, and the spread of each statistic over them. */
  iterationRounds: RepeatedDistribution;
  windowEndRounds: RepeatedDistribution;
  /** The one-thread row's median mean and median p50 ÷ this row's (1 for the one-thread row itself). */
  speedupMean: number;
  speedupP50: number;
}

export interface AccelerationBenchmark {
  runs: AccelerationRun[];
  cores: number;
  repeat: number;
  machine: MachineDuring;
}

/** One configuration as measured in one round. */
type AccelerationRound = Pick<AccelerationRun, "threadsUsed" | "iteration" | "windowEnd">;

interface Configuration {
  method: AcceleratedMethod;
  size: number;
  columns: number;
  threads: number;
}

/** Iterations per window: the history keeps `windowsReused` windows, enough to hold every column. */
const WINDOW_ITERATIONS = 10;

function layoutOf(size: number): AcceleratedLayout {
  const buffer = new SharedArrayBuffer(size * 2 * 8);
  return {
    fields: [
      {
        label: "bench.mesh.field",
        start: new Float64Array(buffer, 0, size),
        samples: [new Float64Array(buffer, size * 8, size)],
      },
    ],
  };
}

function create(method: AcceleratedMethod, columns: number, threads: number): QuasiNewtonAcceleration {
  const settings: QuasiNewtonSettings = {
    initialRelaxation: 0.5,
    maxColumns: columns,
    windowsReused: Math.ceil(columns / (WINDOW_ITERATIONS - 1)) + 1,
    filter: "qr2",
    filterLimit: 1e-3,
    preconditioner: new Preconditioner("residual-sum"),
    threads,
  };
  // rs-0 with a chunk of 1: the Jacobian's terms stay within two windows' columns (memory, at a million values).
  return method === "iqn-ils"
    ? new IqnIls(settings)
    : new IqnImvj(settings, { mode: "rs-0", chunk: 1, truncation: 1e-4, reusedWindows: 1 });
}

/** x̃ = b + D x + ε: ε from a generator that moves on every evaluation. */
class SyntheticMap {
  private readonly diagonal: Float64Array;
  private state = 12345;

  constructor(size: number) {
    this.diagonal = new Float64Array(size);
    for (let index = 0; index < size; index++) this.diagonal[index] = 0.3 + 0.6 * this.next();
  }

  private next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 4294967296;
  }

  evaluate(x: Float64Array, out: Float64Array): void {
    const diagonal = this.diagonal;
    for (let index = 0; index < out.length; index++) {
      out[index] =
        1 + 0.001 * (index % 97) + (diagonal[index] as number) * (x[index] as number) + 1e-3 * (this.next() - 0.5);
    }
  }
}

async function measure(
  { method, size, columns, threads }: Configuration,
  iterations: number,
): Promise<AccelerationRound> {
  const layout = layoutOf(size);
  const field = layout.fields[0] as AcceleratedLayout["fields"][number];
  const sample = field.samples[0] as Float64Array;
  const map = new SyntheticMap(size);
  const x = new Float64Array(size);
  const acceleration = create(method, columns, threads);
  const iterationTimes = new Float64Array(iterations);
  const windowTimes = new Float64Array(Math.ceil(iterations / WINDOW_ITERATIONS) + columns + 2);
  let timed = 0;
  let windowsTimed = 0;
  try {
    acceleration.initialize(layout);
    // The filter may keep the history a column or two short: after this many iterations it counts as full.
    const warmUp = 3 * columns + 2 * WINDOW_ITERATIONS;
    let performed = 0;
    for (let window = 0; timed < iterations; window++) {
      x.set(field.start);
      for (let iteration = 0; iteration < WINDOW_ITERATIONS && timed < iterations; iteration++) {
        map.evaluate(x, sample);
        const full = (acceleration.columns >= Math.min(columns, size) - 1 && window > 0) || performed >= warmUp;
        performed++;
        const begin = process.hrtime.bigint();
        acceleration.perform(window, iteration);
        const elapsed = Number(process.hrtime.bigint() - begin);
        if (full) iterationTimes[timed++] = elapsed;
        x.set(sample);
      }
      map.evaluate(x, sample);
      const begin = process.hrtime.bigint();
      acceleration.windowConverged(window);
      const elapsed = Number(process.hrtime.bigint() - begin);
      if (timed > 0 && windowsTimed < windowTimes.length) windowTimes[windowsTimed++] = elapsed;
      field.start.set(sample);
    }
    return {
      threadsUsed: acceleration.threads,
      iteration: scaled(summarize(iterationTimes, timed), 1e-3),
      windowEnd: scaled(summarize(windowTimes, windowsTimed), 1e-3),
    };
  } finally {
    await acceleration.close();
  }
}

export async function runAccelerationBenchmark(options: AccelerationBenchmarkOptions): Promise<AccelerationBenchmark> {
  const { availableParallelism } = await import("node:os");
  // One thread is always measured: it is what every speedup is against.
  const counts = [...new Set([1, ...options.threads])].sort((a, b) => a - b);
  const configurations: Configuration[] = options.methods.flatMap((method) =>
    options.sizes.flatMap((size) =>
      options.columns.flatMap((columns) => counts.map((threads) => ({ method, size, columns, threads }))),
    ),
  );
  const { runs, machine } = await runInterleavedRounds(
    configurations,
    options.repeat,
    (configuration) => measure(configuration, options.iterations),
    ({ method, size, columns, threads }, round) =>
      options.log(
        `${method}, ${size} values, ${columns} columns, ${threads} thread${threads === 1 ? "" : "s"} (${round})…`,
      ),
  );
  const rows = configurations.map((configuration, index) => {
    const rounds = runs[index] as AccelerationRound[];
    const iterationRounds = repeatedDistribution(rounds.map((round) => round.iteration));
    const windowEndRounds = repeatedDistribution(rounds.map((round) => round.windowEnd));
    return {
      ...configuration,
      threadsUsed: (rounds[0] as AccelerationRound).threadsUsed,
      iteration: iterationRounds.median,
      windowEnd: windowEndRounds.median,
      iterationRounds,
      windowEndRounds,
    };
  });
  const result: AccelerationRun[] = [];
  for (const row of rows) {
    if (!options.threads.includes(row.threads)) continue;
    const single = rows.find(
      (other) =>
        other.threads === 1 && other.method === row.method && other.size === row.size && other.columns === row.columns,
    ) as (typeof rows)[number];
    result.push({
      ...row,
      speedupMean: single.iterationRounds.spread.mean.median / row.iterationRounds.spread.mean.median,
      speedupP50: single.iterationRounds.spread.p50.median / row.iterationRounds.spread.p50.median,
    });
  }
  return { runs: result, cores: availableParallelism(), repeat: options.repeat, machine };
}
