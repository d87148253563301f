// `conflux bench implicit`: both implicit examples through the driver with
// each acceleration, measuring the iterations of every window, the time per
// coupling iteration and per window, and what the driver's acceleration costs
// per iteration; both cases also through preCICE in the same run (where it is
// installed), the same numerics on its C bindings.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CouplingResult, runCoupling } from "../../coupling/driver.ts";
import type { CouplingPlan } from "../../coupling/plan.ts";
import { createOperator } from "../../mapping/index.ts";
import { type Distribution, scaled, summarize } from "../../stats/distribution.ts";
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

export interface ImplicitRun {
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

export interface ImplicitBenchmark {
  runs: ImplicitRun[];
  precice?: PreciceHeatResult;
  preciceTube?: PreciceTubeResult;
  /** Why nothing ran. */
  skipped?: string;
}

export interface ImplicitOptions {
  cases?: readonly ImplicitCase[];
  /** Variant names to run (default: all of each case). */
  accelerations?: readonly string[];
  /** Run the cases through preCICE too (default true; skipped with the reason when it is not installed). */
  precice?: boolean;
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
): Promise<ImplicitRun> {
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

export async function runImplicitBenchmark(options: ImplicitOptions = {}): Promise<ImplicitBenchmark> {
  const log = options.log ?? (() => {});
  const cases = options.cases ?? ["heat", "tube"];
  const wanted = (variant: Variant) =>
    options.accelerations === undefined || options.accelerations.includes(variant.name);
  const directory = mkdtempSync(join(tmpdir(), "conflux-bench-implicit-"));
  try {
    const programs = buildPrograms(directory);
    if (typeof programs === "string") return { runs: [], skipped: programs };
    const runs: ImplicitRun[] = [];
    for (const caseName of ["heat", "tube"] as const) {
      if (!cases.includes(caseName)) continue;
      for (const variant of (caseName === "heat" ? HEAT_VARIANTS : TUBE_VARIANTS).filter(wanted)) {
        log(`${caseName}, ${variant.name}…`);
        const plan = caseName === "heat" ? heatPlan(variant, programs) : tubePlan(variant, programs);
        runs.push(await measure(caseName, variant, plan, caseName === "heat" ? "python-c" : "c-python"));
      }
    }
    // The all-C heat pair for the accelerations preCICE runs too: the same solver under two couplers, timed alike.
    if (cases.includes("heat") && options.precice !== false) {
      for (const variant of HEAT_VARIANTS.filter((candidate) => wanted(candidate) && PRECICE_VARIANT[candidate.name])) {
        log(`heat (all C), ${variant.name}…`);
        runs.push(await measure("heat", variant, heatPlan(variant, programs, "c-c"), "c-c"));
      }
    }
    if (cases.includes("tube") && options.precice !== false) {
      for (const variant of TUBE_VARIANTS.filter(
        (candidate) => wanted(candidate) && PRECICE_TUBE_VARIANT[candidate.name],
      )) {
        log(`tube (all C), ${variant.name}…`);
        runs.push(await measure("tube", variant, tubePlan(variant, programs, "c-c"), "c-c"));
      }
    }
    let precice: PreciceHeatResult | undefined;
    if (cases.includes("heat") && options.precice !== false) {
      const accelerations = [
        ...new Set(HEAT_VARIANTS.filter(wanted).map((variant) => PRECICE_VARIANT[variant.name])),
      ].filter((name): name is HeatAcceleration => name !== undefined);
      if (accelerations.length > 0) {
        log(`heat through preCICE: ${accelerations.join(", ")}…`);
        precice = await measurePreciceHeat({ accelerations });
      }
    }
    let preciceTube: PreciceTubeResult | undefined;
    if (cases.includes("tube") && options.precice !== false) {
      const accelerations = TUBE_VARIANTS.filter(wanted)
        .map((variant) => PRECICE_TUBE_VARIANT[variant.name])
        .filter((name): name is TubeAcceleration => name !== undefined);
      if (accelerations.length > 0) {
        log(`tube through preCICE: ${accelerations.join(", ")}…`);
        preciceTube = await measurePreciceTube({ accelerations });
      }
    }
    return {
      runs,
      ...(precice === undefined ? {} : { precice }),
      ...(preciceTube === undefined ? {} : { preciceTube }),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
