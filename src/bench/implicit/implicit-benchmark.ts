// `conflux bench implicit`: both implicit examples through the driver with
// each acceleration, measuring the iterations of every window, the time per
// coupling iteration and per window, and what the driver's acceleration costs
// per iteration; both cases also through preCICE in the same run (where it is
// installed), the same numerics on its C bindings. Every run is made once in
// each of `repeat` rounds, interleaved (ours, ours all in C, preCICE; then
// again), and each is shown by its median round with the spread of the rounds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CouplingResult, runCoupling } from "../../coupling/driver.ts";
import type { CouplingPlan } from "../../coupling/plan.ts";
import { createOperator } from "../../mapping/index.ts";
import { type Distribution, scaled, summarize } from "../../stats/distribution.ts";
import { medianIndex, type Spread, spread } from "../../stats/spread.ts";
import { type RepeatedDistribution, repeatedDistribution, runInterleavedRounds } from "../interleaved-rounds.ts";
import type { MachineDuring } from "../machine-load.ts";
import type { PreciceAccelerationRuns } from "../precice-heat/acceleration-runs.ts";
import type { HeatAcceleration } from "../precice-heat/config.ts";
import { measurePreciceHeat, type PreciceHeatResult } from "../precice-heat/precice-heat.ts";
import type { TubeAcceleration } from "../precice-tube/config.ts";
import { measurePreciceTube, type PreciceTubeResult } from "../precice-tube/precice-tube.ts";
import {
  HEAT_VARIANTS,
  type HeatPair,
  heatPlan,
  type ImplicitCase,
  TUBE_VARIANTS,
  type TubePair,
  tubePlan,
  type Variant,
} from "./cases.ts";
import { buildPrograms } from "./programs.ts";

/** One run of a case with one acceleration, as measured in one round. */
export interface ImplicitRound {
  case: ImplicitCase;
  acceleration: string;
  /** The example's pair (heat: Python Dirichlet, C Neumann; tube: C fluid, Python wall), or both in C as under preCICE. */
  pair: HeatPair | TubePair;
  /** Coupling iterations of every window. */
  iterations: number[];
  total: number;
  /** Windows that reached max_iterations without converging (the tube's Aitken goes on past them). */
  notConverged: number;
  /** µs: one coupling iteration (every component's attempt, the transfers, measuring, accelerating). */
  iteration: Distribution;
  /** µs: one window, all its iterations. */
  window: Distribution;
  /** µs: the driver's acceleration per accelerated iteration (resampling onto the grid included). */
  accelerationCost: Distribution;
  /** µs: measuring convergence per iteration. */
  convergenceCost: Distribution;
  /** The heat case: the largest relative L2 error against u either side reported at a window's end. */
  maxError?: number;
  wallSeconds: number;
  /** Why the run failed, when it did (the other figures are then of what ran). */
  failure?: string;
}

/** A run over the rounds: its figures are the round's whose iteration p50 is the median. */
export interface ImplicitRun extends ImplicitRound {
  /** Every round, in round order. */
  repetitions: ImplicitRound[];
  iterationRounds: RepeatedDistribution;
  windowRounds: RepeatedDistribution;
  accelerationRounds: RepeatedDistribution;
  convergenceRounds: RepeatedDistribution;
  totals: Spread;
  wallSecondsRounds: Spread;
}

/** What the report needs of a preCICE run of either case, in one round. */
interface PreciceRound {
  acceleration: string;
  total: number;
  msPerIteration: number;
  msPerWindow: number;
  warnings: number;
}

/** A preCICE run over the rounds: its figures are the round's whose time per iteration is the median. */
export type PreciceRepeated<Run extends PreciceRound> = Run & {
  repetitions: Run[];
  msPerIterationRounds: Spread;
  msPerWindowRounds: Spread;
};

export interface ImplicitBenchmark {
  runs: ImplicitRun[];
  precice?: PreciceAccelerationRuns<PreciceRepeated<PreciceHeatResult["runs"][number]>>;
  preciceTube?: PreciceAccelerationRuns<PreciceRepeated<PreciceTubeResult["runs"][number]>>;
  /** Why nothing ran. */
  skipped?: string;
  /** Rounds of every run, interleaved. */
  repeat: number;
  machine?: MachineDuring;
}

export interface ImplicitOptions {
  cases?: readonly ImplicitCase[];
  /** Variant names to run (default: all of each case). */
  accelerations?: readonly string[];
  /** Run the cases through preCICE too (default true; skipped with the reason when it is not installed). */
  precice?: boolean;
  /** Rounds of every run, interleaved (default 5). */
  repeat?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

const ERROR_LINE = /relative L2 error = (\S+)/;

function phase(result: Pick<CouplingResult, "timings">, name: string): Distribution {
  const entry = result.timings.summaries().find((summary) => summary.phase === name);
  return scaled(entry?.distribution ?? summarize(new Float64Array(0)), 1e-3);
}

async function measure(
  caseName: ImplicitCase,
  variant: Variant,
  plan: CouplingPlan,
  pair: HeatPair | TubePair,
): Promise<ImplicitRound> {
  let maxError = 0;
  let pending = "";
  const output = {
    write(text: string) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = ERROR_LINE.exec(line);
        if (match) maxError = Math.max(maxError, Number(match[1]));
      }
      return true;
    },
  };
  const started = performance.now();
  let result: Pick<CouplingResult, "timings" | "convergence">;
  let failure: string | undefined;
  try {
    result = await runCoupling(plan, {
      buildOperator: (source, target, spec) => createOperator(source, target, spec),
      output,
    });
  } catch (error) {
    failure = (error as Error).message;
    const partial = (error as { partial?: Pick<CouplingResult, "timings" | "convergence"> }).partial;
    if (partial === undefined) throw error;
    result = partial;
  }
  const windows = result.convergence ?? [];
  const iterations = windows.map((window) => window.iterations);
  return {
    case: caseName,
    acceleration: variant.name,
    pair,
    iterations,
    total: iterations.reduce((sum, count) => sum + count, 0),
    notConverged: windows.filter((window) => !window.converged).length,
    iteration: phase(result, "iteration"),
    window: phase(result, "window"),
    accelerationCost: phase(result, "acceleration"),
    convergenceCost: phase(result, "convergence"),
    ...(caseName === "heat" ? { maxError } : {}),
    wallSeconds: (performance.now() - started) / 1000,
    ...(failure === undefined ? {} : { failure }),
  };
}

/** The preCICE heat configuration each of our variants corresponds to, where it has one. */
const PRECICE_VARIANT: Partial<Record<string, HeatAcceleration>> = {
  constant: "constant",
  aitken: "aitken",
  "iqn-ils": "iqn-ils",
};

/** The preCICE tube configuration each of our tube variants corresponds to, where it has one. */
const PRECICE_TUBE_VARIANT: Partial<Record<string, TubeAcceleration>> = {
  constant: "constant",
  aitken: "aitken",
  "iqn-ils": "iqn-ils",
};

/** One measurement of a round: a run of ours, or preCICE's runs of a case (each of its accelerations in turn). */
type Measurement =
  | { label: string; ours: () => Promise<ImplicitRound> }
  | { label: string; heat: () => Promise<PreciceHeatResult> }
  | { label: string; tube: () => Promise<PreciceTubeResult> };

type MeasuredRound = ImplicitRound | PreciceHeatResult | PreciceTubeResult;

function measureOnce(measurement: Measurement): Promise<MeasuredRound> {
  if ("ours" in measurement) return measurement.ours();
  if ("heat" in measurement) return measurement.heat();
  return measurement.tube();
}

function repeatedRun(rounds: readonly ImplicitRound[]): ImplicitRun {
  const iterationRounds = repeatedDistribution(rounds.map((round) => round.iteration));
  const shown = rounds[iterationRounds.medianRound] as ImplicitRound;
  // A round that failed fails the run: its figures are of what ran, and the report must say so.
  const failed = rounds.findIndex((round) => round.failure !== undefined);
  const { failure: _shownFailure, ...figures } = shown;
  return {
    ...figures,
    ...(failed < 0 ? {} : { failure: `repetition ${failed + 1}: ${rounds[failed]?.failure}` }),
    repetitions: [...rounds],
    iterationRounds,
    windowRounds: repeatedDistribution(rounds.map((round) => round.window)),
    accelerationRounds: repeatedDistribution(rounds.map((round) => round.accelerationCost)),
    convergenceRounds: repeatedDistribution(rounds.map((round) => round.convergenceCost)),
    totals: spread(rounds.map((round) => round.total)),
    wallSecondsRounds: spread(rounds.map((round) => round.wallSeconds)),
  };
}

/** preCICE's rounds of a case as one result: each acceleration by its median round; the first round's installation, or why it was skipped. */
function repeatedPrecice<Run extends PreciceRound>(
  rounds: readonly PreciceAccelerationRuns<Run>[],
): PreciceAccelerationRuns<PreciceRepeated<Run>> {
  const first = rounds[0] as PreciceAccelerationRuns<Run>;
  const measured = rounds.filter((round) => round.skipped === undefined);
  const runs = (measured[0]?.runs ?? []).map((_, index): PreciceRepeated<Run> => {
    const repetitions = measured.map((round) => round.runs[index] as Run);
    const perIteration = repetitions.map((run) => run.msPerIteration);
    return {
      ...(repetitions[medianIndex(perIteration)] as Run),
      repetitions,
      msPerIterationRounds: spread(perIteration),
      msPerWindowRounds: spread(repetitions.map((run) => run.msPerWindow)),
    };
  });
  return {
    ...(first.installation === undefined ? {} : { installation: first.installation }),
    runs,
    ...(first.skipped === undefined ? {} : { skipped: first.skipped }),
  };
}

export async function runImplicitBenchmark(options: ImplicitOptions = {}): Promise<ImplicitBenchmark> {
  const log = options.log ?? (() => {});
  const repeat = options.repeat ?? 5;
  const cases = options.cases ?? ["heat", "tube"];
  const wanted = (variant: Variant) =>
    options.accelerations === undefined || options.accelerations.includes(variant.name);
  const directory = mkdtempSync(join(tmpdir(), "conflux-bench-implicit-"));
  try {
    const programs = buildPrograms(directory);
    if (typeof programs === "string") return { runs: [], skipped: programs, repeat };
    const measurements: Measurement[] = [];
    for (const caseName of ["heat", "tube"] as const) {
      if (!cases.includes(caseName)) continue;
      for (const variant of (caseName === "heat" ? HEAT_VARIANTS : TUBE_VARIANTS).filter(wanted)) {
        const plan = caseName === "heat" ? heatPlan(variant, programs) : tubePlan(variant, programs);
        measurements.push({
          label: `${caseName}, ${variant.name}`,
          ours: () => measure(caseName, variant, plan, caseName === "heat" ? "python-c" : "c-python"),
        });
      }
    }
    // The all-C heat pair for the accelerations preCICE runs too: the same solver under two couplers, timed alike.
    if (cases.includes("heat") && options.precice !== false) {
      for (const variant of HEAT_VARIANTS.filter((candidate) => wanted(candidate) && PRECICE_VARIANT[candidate.name])) {
        const plan = heatPlan(variant, programs, "c-c");
        measurements.push({
          label: `heat (all C), ${variant.name}`,
          ours: () => measure("heat", variant, plan, "c-c"),
        });
      }
    }
    if (cases.includes("tube") && options.precice !== false) {
      for (const variant of TUBE_VARIANTS.filter(
        (candidate) => wanted(candidate) && PRECICE_TUBE_VARIANT[candidate.name],
      )) {
        const plan = tubePlan(variant, programs, "c-c");
        measurements.push({
          label: `tube (all C), ${variant.name}`,
          ours: () => measure("tube", variant, plan, "c-c"),
        });
      }
    }
    if (cases.includes("heat") && options.precice !== false) {
      const accelerations = [
        ...new Set(HEAT_VARIANTS.filter(wanted).map((variant) => PRECICE_VARIANT[variant.name])),
      ].filter((name): name is HeatAcceleration => name !== undefined);
      if (accelerations.length > 0) {
        // Built again every round (outside its timed part): a round is a fresh run of each coupler.
        measurements.push({
          label: `heat through preCICE: ${accelerations.join(", ")}`,
          heat: () => measurePreciceHeat({ accelerations }),
        });
      }
    }
    if (cases.includes("tube") && options.precice !== false) {
      const accelerations = TUBE_VARIANTS.filter(wanted)
        .map((variant) => PRECICE_TUBE_VARIANT[variant.name])
        .filter((name): name is TubeAcceleration => name !== undefined);
      if (accelerations.length > 0) {
        measurements.push({
          label: `tube through preCICE: ${accelerations.join(", ")}`,
          tube: () => measurePreciceTube({ accelerations }),
        });
      }
    }
    const { runs: rounds, machine } = await runInterleavedRounds(measurements, repeat, measureOnce, (item, round) =>
      log(`${item.label} (${round})…`),
    );
    const runs: ImplicitRun[] = [];
    let precice: ImplicitBenchmark["precice"];
    let preciceTube: ImplicitBenchmark["preciceTube"];
    for (const [index, measurement] of measurements.entries()) {
      const measured = rounds[index] as MeasuredRound[];
      if ("ours" in measurement) runs.push(repeatedRun(measured as ImplicitRound[]));
      else if ("heat" in measurement) precice = repeatedPrecice(measured as PreciceHeatResult[]);
      else preciceTube = repeatedPrecice(measured as PreciceTubeResult[]);
    }
    return {
      runs,
      ...(precice === undefined ? {} : { precice }),
      ...(preciceTube === undefined ? {} : { preciceTube }),
      repeat,
      machine,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
