// `conflux bench seed`: the talk's timing table on the talk's work — command
// queue, appA → appB transform, appB → appA transform, complete iteration —
// for both apps in the driver's own process (baseline: no queues, no
// enclaves) and for every enclave kind that works here. Iterations above p99
// are explained by what happened during them.

import { commandQueuePhase, runCoupling } from "../coupling/driver.ts";
import type { CouplingPlan } from "../coupling/plan.ts";
import type { EnclaveKind } from "../enclave/kind.ts";
import { guestProgram } from "../enclave/vm/image/guest-program.ts";
import { createOperator, type PointSet } from "../mapping/index.ts";
import { native } from "../native/index.ts";
import { packagePath } from "../platform/package-root.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";
import { type OutlierCause, OutlierProbe } from "./outlier-probe.ts";
import { A_TO_B, B_TO_A, seedDemoPlan } from "./seed-plan.ts";
import { initialField, neighbourGraph, seedPoints, seedStep, settingsFrom } from "./seed-workload.ts";

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

/** A VM's boot, before the first iteration: reported on its own, never in a row. */
export interface SeedBoot {
  enclave: SeedEnclave;
  component: string;
  ms: number;
  accel: string;
}

export interface SeedBenchmark {
  points: number;
  iterations: number;
  rows: SeedRow[];
  outliers: SeedOutliers[];
  boots: SeedBoot[];
  /** What ran where, when a column is not the TypeScript apps alone. */
  notes: string[];
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

async function coupled(
  kind: EnclaveKind,
  points: number,
  iterations: number,
): Promise<{ rows: SeedRow[]; outliers: SeedOutliers; boots: SeedBoot[] }> {
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

export async function runSeedBenchmark(options: SeedBenchOptions): Promise<SeedBenchmark> {
  const progress = options.progress ?? (() => {});
  const result: SeedBenchmark = {
    points: options.points,
    iterations: options.iterations,
    rows: [],
    outliers: [],
    boots: [],
    notes: [],
    skipped: [],
  };
  for (const enclave of options.enclaves) {
    progress(`${enclave}: ${options.iterations} iterations of ${options.points} points`);
    try {
      const measured =
        enclave === "baseline"
          ? { ...(await baseline(options.points, options.iterations)), boots: [] }
          : await coupled(enclave, options.points, options.iterations);
      result.rows.push(...measured.rows);
      result.outliers.push(measured.outliers);
      result.boots.push(...measured.boots);
      if (enclave === "vm") {
        result.notes.push(
          "vm: appA is the seed appA in C (examples/c-component/app_a.c) in a VM, appB the TypeScript appB in a process; the driver spins for the guest and the guest spins, then polls (futex wakes do not cross the VM boundary)",
        );
      }
    } catch (error) {
      result.skipped.push(`${enclave}: ${(error as Error).message}`);
    }
  }
  return result;
}
