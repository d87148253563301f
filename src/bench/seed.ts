// `conflux bench seed`: the talk's timing table on the talk's work — command
// queue, appA → appB transform, appB → appA transform, complete iteration —
// for both apps in the driver's own process (baseline: no queues, no
// enclaves) and for every enclave kind that works here. Iterations above p99
// are explained by what happened during them.
//
// Every column is run at least five times, interleaved (A B C A B C …), each
// repetition a fresh run of the column, so that drift on a shared machine
// falls on every column rather than on whichever ran last. Every figure is the
// median over the repetitions with its spread, and a ratio is only taken
// between two columns of this one run.

import { commandQueuePhase, runCoupling } from "../coupling/driver.ts";
import type { CouplingPlan } from "../coupling/plan.ts";
import type { EnclaveKind } from "../enclave/kind.ts";
import { guestProgram } from "../enclave/vm/image/guest-program.ts";
import { createOperator, type PointSet } from "../mapping/index.ts";
import { native } from "../native/index.ts";
import { packagePath } from "../platform/package-root.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";
import { type MachineDuring, MachineLoad } from "./machine-load.ts";
import { type Figure, figureOf } from "./map-figures.ts";
import { type OutlierCause, OutlierProbe } from "./outlier-probe.ts";
import { A_TO_B, B_TO_A, seedDemoPlan } from "./seed-plan.ts";
import { initialField, neighbourGraph, seedPoints, seedStep, settingsFrom } from "./seed-workload.ts";

export type SeedMeasurement = "command-queue" | "a-to-b" | "b-to-a" | "iteration";
export type SeedEnclave = "baseline" | EnclaveKind;

/** The statistics of a distribution that a row reports, each as a figure over the repetitions. */
export type SeedStatistic = "mean" | "sd" | "p50" | "p99" | "max";
export const SEED_STATISTICS: readonly SeedStatistic[] = ["mean", "sd", "p50", "p99", "max"];

export interface SeedRow {
  measurement: SeedMeasurement;
  enclave: SeedEnclave;
  /** In microseconds, one per repetition, in the order the repetitions ran. */
  runs: Distribution[];
  /** Each statistic's median (fastest–slowest) over `runs`. */
  figures: Record<SeedStatistic, Figure>;
}

export interface SeedOutliers {
  enclave: SeedEnclave;
  /** Over every repetition, each iteration against its own repetition's p99. */
  above: number;
  causes: Record<OutlierCause, number>;
}

/** A VM's boot, before the first iteration: reported on its own, never in a row. */
export interface SeedBoot {
  enclave: SeedEnclave;
  component: string;
  ms: number;
  accel: string;
  repetition: number;
}

/** One column's complete-iteration p50 over another's, both from this run. */
export interface SeedRatio {
  of: SeedEnclave;
  over: SeedEnclave;
  /** The quotient of the two columns' median p50s. */
  ratio: number;
  /** Repetition by repetition (the k-th run of one over the k-th of the other): their median and range. */
  pairs: Figure;
  /** The project's goal: at most this. */
  target: number;
}

export interface SeedBenchmark {
  points: number;
  iterations: number;
  repetitions: number;
  /** Every run in the order it ran (the interleaving); a run that failed and was run again is marked so. */
  order: { repetition: number; enclave: SeedEnclave; failed?: true }[];
  rows: SeedRow[];
  ratios: SeedRatio[];
  outliers: SeedOutliers[];
  boots: SeedBoot[];
  /** What ran where, when a column is not the TypeScript apps alone. */
  notes: string[];
  skipped: string[];
  /** 1-minute load averages sampled between runs, and the CPU count. */
  machine: MachineDuring;
}

export interface SeedBenchOptions {
  enclaves: SeedEnclave[];
  points: number;
  iterations: number;
  /** Runs of every column (at least five, as every figure is a median of at least five). */
  repetitions?: number;
  progress?: (what: string) => void;
}

/** The ratios the project's goals name: an enclave within 10% of what it wraps. */
const RATIOS: { of: SeedEnclave; over: SeedEnclave; target: number }[] = [
  { of: "process", over: "baseline", target: 1.1 },
  { of: "container", over: "process", target: 1.1 },
];

const PINGS = 1000;

/** One row of one run of a column. */
interface RunRow {
  measurement: SeedMeasurement;
  enclave: SeedEnclave;
  /** In microseconds. */
  distribution: Distribution;
}

/** What one run of a column measured. */
interface ColumnRun {
  rows: RunRow[];
  outliers: SeedOutliers;
  boots: Omit<SeedBoot, "repetition">[];
}

function soa(coordinates: Float64Array, count: number): PointSet {
  return { dimension: 3, count, layout: "soa", coordinates };
}

/** Both apps and both transfers in this process, timed exactly as the driver times them. */
async function baseline(points: number, iterations: number): Promise<Omit<ColumnRun, "boots">> {
  const a = settingsFrom({ points, seed: 1, sweeps: 3 }, "temperature");
  const b = settingsFrom({ points, seed: 2, sweeps: 3 }, "flux");
  const pointsA = seedPoints(points, a.seed);
  const pointsB = seedPoints(points, b.seed);
  const temperatureA = new Float64Array(points);
  const fluxA = new Float64Array(points);
  const temperatureB = new Float64Array(points);
  const fluxB = new Float64Array(points);
  initialField(pointsA, points, "temperature", temperatureA);
  initialField(pointsB, points, "flux", fluxB);
  const graphA = neighbourGraph(pointsA, points, a.neighbours);
  const graphB = neighbourGraph(pointsB, points, b.neighbours);
  const aToB = createOperator(soa(pointsA, points), soa(pointsB, points), { method: "nearest" });
  const bToA = createOperator(soa(pointsB, points), soa(pointsA, points), { method: "nearest" });
  const scratchA = new Float64Array(points);
  const scratchB = new Float64Array(points);
  const aToBTimes = new Float64Array(iterations);
  const bToATimes = new Float64Array(iterations);
  const iterationTimes = new Float64Array(iterations);
  const probe = new OutlierProbe(iterations);
  for (let iteration = 0; iteration < iterations; iteration++) {
    probe.before(iteration);
    const start = native.monotonicNs();
    seedStep(temperatureA, fluxA, graphA, a.neighbours, a.sweeps, scratchA);
    const afterA = native.monotonicNs();
    aToB.apply(temperatureA, temperatureB);
    const afterAToB = native.monotonicNs();
    seedStep(fluxB, temperatureB, graphB, b.neighbours, b.sweeps, scratchB);
    const afterB = native.monotonicNs();
    bToA.apply(fluxB, fluxA);
    const end = native.monotonicNs();
    aToBTimes[iteration] = afterAToB - afterA;
    bToATimes[iteration] = end - afterB;
    iterationTimes[iteration] = end - start;
    probe.after(iteration);
  }
  const iteration = summarize(iterationTimes);
  return {
    rows: [
      { measurement: "a-to-b", enclave: "baseline", distribution: scaled(summarize(aToBTimes), 1e-3) },
      { measurement: "b-to-a", enclave: "baseline", distribution: scaled(summarize(bToATimes), 1e-3) },
      { measurement: "iteration", enclave: "baseline", distribution: scaled(iteration, 1e-3) },
    ],
    outliers: {
      enclave: "baseline",
      above: countAbove(iterationTimes, iteration.p99),
      causes: await probe.explain(iterationTimes, iterations, iteration.p99),
    },
  };
}

function countAbove(samples: Float64Array, threshold: number): number {
  let count = 0;
  for (const sample of samples) if (sample > threshold) count++;
  return count;
}

/**
 * The vm column: appA is examples/c-component/app_a.c (the seed appA in C,
 * built statically for a guest, unchanged) in a VM, appB the TypeScript appB in a
 * process. A TypeScript app under TCG would time QEMU's emulation of V8, not
 * the coupling.
 */
function vmPlan(points: number, iterations: number): CouplingPlan {
  const plan = seedDemoPlan({ kind: "process", points, iterations });
  const appA = plan.components.find((component) => component.name === "appA");
  if (appA === undefined) throw new Error("the seed plan has no appA");
  appA.kind = "vm";
  appA.launch = { command: [guestProgram("app_a", [APP_A])], args: appA.launch.args ?? {} };
  return plan;
}

const APP_A = packagePath("examples/c-component/app_a.c");

async function coupled(kind: EnclaveKind, points: number, iterations: number): Promise<ColumnRun> {
  const probe = new OutlierProbe(iterations);
  const plan = kind === "vm" ? vmPlan(points, iterations) : seedDemoPlan({ kind, points, iterations });
  const result = await runCoupling(plan, {
    buildOperator: (source, target, spec) => createOperator(source, target, spec),
    output: null,
    pings: PINGS,
    probe,
  });
  const timings = result.timings;
  const iterationSamples = timings.raw("iteration");
  const iteration = summarize(iterationSamples);
  return {
    rows: [
      {
        measurement: "command-queue",
        enclave: kind,
        // appA's: the component in the enclave kind measured (in the vm column the only one in a guest).
        distribution: scaled(summarize(timings.raw(commandQueuePhase("appA"))), 1e-3),
      },
      { measurement: "a-to-b", enclave: kind, distribution: scaled(summarize(timings.raw(A_TO_B)), 1e-3) },
      { measurement: "b-to-a", enclave: kind, distribution: scaled(summarize(timings.raw(B_TO_A)), 1e-3) },
      { measurement: "iteration", enclave: kind, distribution: scaled(iteration, 1e-3) },
    ],
    outliers: {
      enclave: kind,
      above: countAbove(iterationSamples, iteration.p99),
      causes: await probe.explain(iterationSamples, iterationSamples.length, iteration.p99),
    },
    boots: result.enclaves.flatMap((record) => {
      const vm = (record.description as { vm?: { bootMs: number | null; accel: string } }).vm;
      return vm?.bootMs == null ? [] : [{ enclave: kind, component: record.component, ms: vm.bootMs, accel: vm.accel }];
    }),
  };
}

/** One column's runs so far. */
interface Column {
  enclave: SeedEnclave;
  runs: ColumnRun[];
  /** Why the column was given up (a run failed twice in a row): it is then left out of the report. */
  failed?: string;
}

async function runColumn(enclave: SeedEnclave, points: number, iterations: number): Promise<ColumnRun> {
  return enclave === "baseline"
    ? { ...(await baseline(points, iterations)), boots: [] }
    : await coupled(enclave, points, iterations);
}

/** The error of one run, or the run. */
async function attempt(
  enclave: SeedEnclave,
  points: number,
  iterations: number,
): Promise<ColumnRun | { error: string }> {
  try {
    return await runColumn(enclave, points, iterations);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function sumOutliers(enclave: SeedEnclave, runs: readonly ColumnRun[]): SeedOutliers {
  const total: SeedOutliers = { enclave, above: 0, causes: { ...(runs[0] as ColumnRun).outliers.causes } };
  for (const cause of Object.keys(total.causes) as OutlierCause[]) total.causes[cause] = 0;
  for (const run of runs) {
    total.above += run.outliers.above;
    for (const [cause, count] of Object.entries(run.outliers.causes) as [OutlierCause, number][]) {
      total.causes[cause] += count;
    }
  }
  return total;
}

function rowsOf(column: Column): SeedRow[] {
  const first = (column.runs[0] as ColumnRun).rows;
  return first.map(({ measurement }) => {
    const runs = column.runs.map((run) => {
      const row = run.rows.find((candidate) => candidate.measurement === measurement);
      if (row === undefined) throw new Error(`a run of ${column.enclave} has no ${measurement} row`);
      return row.distribution;
    });
    const figures = Object.fromEntries(
      SEED_STATISTICS.map((statistic) => [statistic, figureOf(runs.map((run) => run[statistic]))]),
    ) as Record<SeedStatistic, Figure>;
    return { measurement, enclave: column.enclave, runs, figures };
  });
}

function ratiosOf(rows: readonly SeedRow[]): SeedRatio[] {
  const iteration = (enclave: SeedEnclave) =>
    rows.find((row) => row.measurement === "iteration" && row.enclave === enclave);
  return RATIOS.flatMap(({ of, over, target }) => {
    const top = iteration(of);
    const bottom = iteration(over);
    if (top === undefined || bottom === undefined) return [];
    const pairs = top.runs.map((run, index) => run.p50 / (bottom.runs[index] as Distribution).p50);
    return [{ of, over, ratio: top.figures.p50.median / bottom.figures.p50.median, pairs: figureOf(pairs), target }];
  });
}

export async function runSeedBenchmark(options: SeedBenchOptions): Promise<SeedBenchmark> {
  const progress = options.progress ?? (() => {});
  const repetitions = Math.max(5, options.repetitions ?? 5);
  const machine = new MachineLoad();
  const columns: Column[] = [...new Set(options.enclaves)].map((enclave) => ({ enclave, runs: [] }));
  const order: SeedBenchmark["order"] = [];
  const boots: SeedBoot[] = [];
  const notes: string[] = [];
  // Interleaved: one run of every column in turn, so no column has the machine to itself at its own moment.
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const column of columns) {
      if (column.failed !== undefined) continue;
      const { enclave } = column;
      progress(
        `repetition ${repetition + 1} of ${repetitions}, ${enclave}: ${options.iterations} iterations of ${options.points} points`,
      );
      // A run can fail once on a loaded machine (a component slow to start); once more, and the column is given up.
      let run = await attempt(enclave, options.points, options.iterations);
      if ("error" in run) {
        const first = run.error;
        order.push({ repetition, enclave, failed: true });
        run = await attempt(enclave, options.points, options.iterations);
        if ("error" in run) {
          order.push({ repetition, enclave, failed: true });
          column.failed =
            repetition === 0 ? `${enclave}: ${run.error}` : `${enclave}: repetition ${repetition + 1}: ${run.error}`;
          machine.sample();
          continue;
        }
        notes.push(`${enclave}: repetition ${repetition + 1} failed once and was run again (${first})`);
      }
      order.push({ repetition, enclave });
      column.runs.push(run);
      boots.push(...run.boots.map((boot) => ({ ...boot, repetition })));
      machine.sample();
    }
  }
  const measured = columns.filter((column) => column.failed === undefined && column.runs.length > 0);
  if (measured.some((column) => column.enclave === "vm")) {
    notes.unshift(
      "vm: appA is the seed appA in C (examples/c-component/app_a.c) in a VM, appB the TypeScript appB in a process; the driver spins for the guest and the guest spins, then polls (futex wakes do not cross the VM boundary)",
    );
  }
  const rows = measured.flatMap(rowsOf);
  return {
    points: options.points,
    iterations: options.iterations,
    repetitions,
    order,
    rows,
    ratios: ratiosOf(rows),
    outliers: measured.map((column) => sumOutliers(column.enclave, column.runs)),
    boots: boots.filter((boot) => measured.some((column) => column.enclave === boot.enclave)),
    notes,
    skipped: columns.flatMap((column) => (column.failed === undefined ? [] : [column.failed])),
    machine: machine.during(),
  };
}
