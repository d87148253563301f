// `conflux bench seed`: the talk's timing table on the talk's work — command
// queue, appA → appB transform, appB → appA transform, complete iteration —
// for both apps in the driver's own process (baseline: no queues, no
// enclaves) and for every enclave kind that works here. Iterations above p99
// are explained by what happened during them.
import { initialField, neighbourGraph, seedPoints, seedStep, settingsFrom } from "../../examples/seed-dtk/seed-app.ts";
import { runCoupling } from "../coupling/driver.ts";
import type { EnclaveKind } from "../enclave/requirements.ts";
import { createOperator } from "../mapping/create-operator.ts";
import type { PointSet } from "../mapping/point-set.ts";
import { native } from "../native/index.ts";
import { type Distribution, scaled, summarize } from "./distribution.ts";
import { type OutlierCause, OutlierProbe } from "./outlier-probe.ts";
import { A_TO_B, B_TO_A, seedDemoPlan } from "./seed-plan.ts";

export type SeedMeasurement = "command-queue" | "a-to-b" | "b-to-a" | "iteration";
export type SeedEnclave = "baseline" | EnclaveKind;

export interface SeedRow {
  measurement: SeedMeasurement;
  enclave: SeedEnclave;
  /** In microseconds. */
  distribution: Distribution;
}

export interface SeedOutliers {
  enclave: SeedEnclave;
  above: number;
  causes: Record<OutlierCause, number>;
}

export interface SeedBenchmark {
  points: number;
  iterations: number;
  rows: SeedRow[];
  outliers: SeedOutliers[];
  skipped: string[];
}

export interface SeedBenchOptions {
  enclaves: SeedEnclave[];
  points: number;
  iterations: number;
  progress?: (what: string) => void;
}

const PINGS = 1000;

function soa(coordinates: Float64Array, count: number): PointSet {
  return { dimension: 3, count, layout: "soa", coordinates };
}

/** Both apps and both transfers in this process, timed exactly as the driver times them. */
async function baseline(points: number, iterations: number): Promise<{ rows: SeedRow[]; outliers: SeedOutliers }> {
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

async function coupled(
  kind: EnclaveKind,
  points: number,
  iterations: number,
): Promise<{ rows: SeedRow[]; outliers: SeedOutliers }> {
  const probe = new OutlierProbe(iterations);
  const result = await runCoupling(seedDemoPlan({ kind, points, iterations }), {
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
        distribution: scaled(summarize(timings.raw("command queue")), 1e-3),
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
  };
}

export async function runSeedBenchmark(options: SeedBenchOptions): Promise<SeedBenchmark> {
  const progress = options.progress ?? (() => {});
  const result: SeedBenchmark = {
    points: options.points,
    iterations: options.iterations,
    rows: [],
    outliers: [],
    skipped: [],
  };
  for (const enclave of options.enclaves) {
    progress(`${enclave}: ${options.iterations} iterations of ${options.points} points`);
    try {
      const measured =
        enclave === "baseline"
          ? await baseline(options.points, options.iterations)
          : await coupled(enclave, options.points, options.iterations);
      result.rows.push(...measured.rows);
      result.outliers.push(measured.outliers);
    } catch (error) {
      result.skipped.push(`${enclave}: ${(error as Error).message}`);
    }
  }
  return result;
}
