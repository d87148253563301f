// What `conflux bench implicit` prints: per case and acceleration, the
// iterations per window (preCICE's beside, from the same run), and the
// distributions (mean ± sd, p50, p99, max) of a coupling iteration, a window
// and the driver's acceleration per iteration, each run shown by its median
// round with the spread of the rounds ("median [min–max]"); or JSON.
import type { Distribution } from "../../stats/distribution.ts";
import type { Spread } from "../../stats/spread.ts";
import { alignColumns, formatMicroseconds as cell } from "../../stats/table.ts";
import { distributionJson } from "../distribution-json.ts";
import { repeatedSpreadJson, spreadJson, withSpread } from "../interleaved-rounds.ts";
import { machineLine } from "../machine-load.ts";
import type { ImplicitBenchmark, ImplicitRound, ImplicitRun, PreciceRepeated } from "./implicit-benchmark.ts";

/** A preCICE run's spread over the rounds and every round's figures. */
function preciceRepetitionsJson(run: PreciceRepeated<PeerRun>): Record<string, unknown> {
  return {
    spread: {
      ms_per_iteration: spreadJson(run.msPerIterationRounds),
      ms_per_window: spreadJson(run.msPerWindowRounds),
    },
    repetitions: run.repetitions.map((round) => ({
      total: round.total,
      ms_per_iteration: round.msPerIteration,
      ms_per_window: round.msPerWindow,
      warnings: round.warnings,
    })),
  };
}

/** A round of ours, as JSON: the figures a single run had. */
function roundJson(round: ImplicitRound): Record<string, unknown> {
  return {
    total: round.total,
    not_converged: round.notConverged,
    iteration: distributionJson(round.iteration),
    window: distributionJson(round.window),
    acceleration_cost: distributionJson(round.accelerationCost),
    convergence_cost: distributionJson(round.convergenceCost),
    ...(round.maxError === undefined ? {} : { max_error: round.maxError }),
    wall_s: round.wallSeconds,
    ...(round.failure === undefined ? {} : { failure: round.failure }),
  };
}

/** preCICE's runs of both cases in one list, each with its case; `skipped` says why a case has none. */
function preciceJson(benchmark: ImplicitBenchmark): Record<string, unknown> {
  const { precice: heat, preciceTube: tube } = benchmark;
  if (heat === undefined && tube === undefined) return {};
  const version = heat?.installation?.version ?? tube?.installation?.version;
  const skipped = [...new Set([heat?.skipped, tube?.skipped].filter((reason) => reason !== undefined))];
  return {
    precice: {
      ...(version === undefined ? {} : { version }),
      ...(skipped.length === 0 ? {} : { skipped: skipped.join("; ") }),
      runs: [
        ...(heat?.runs ?? []).map((run) => ({
          case: "heat",
          acceleration: run.acceleration,
          iterations: run.iterations,
          total: run.total,
          ms_per_iteration: run.msPerIteration,
          ms_per_window: run.msPerWindow,
          max_error: run.maxError,
          warnings: run.warnings,
          ...preciceRepetitionsJson(run),
        })),
        ...(tube?.runs ?? []).map((run) => ({
          case: "tube",
          acceleration: run.acceleration,
          iterations: run.iterations,
          total: run.total,
          not_converged: run.notConverged,
          ...(run.nonFiniteFrom === undefined ? {} : { non_finite_from: run.nonFiniteFrom }),
          ms_per_iteration: run.msPerIteration,
          ms_per_window: run.msPerWindow,
          warnings: run.warnings,
          ...preciceRepetitionsJson(run),
        })),
      ],
    },
  };
}

export function implicitBenchmarkJson(benchmark: ImplicitBenchmark): string {
  return JSON.stringify(
    {
      ...(benchmark.skipped === undefined ? {} : { skipped: benchmark.skipped }),
      runs: benchmark.runs.map((run) => ({
        case: run.case,
        acceleration: run.acceleration,
        pair: run.pair,
        iterations: run.iterations,
        windows: run.iterations.length,
        ...roundJson(run),
        spread: {
          iteration: repeatedSpreadJson(run.iterationRounds, "us"),
          window: repeatedSpreadJson(run.windowRounds, "us"),
          acceleration_cost: repeatedSpreadJson(run.accelerationRounds, "us"),
          convergence_cost: repeatedSpreadJson(run.convergenceRounds, "us"),
          total: spreadJson(run.totals),
          wall_s: spreadJson(run.wallSecondsRounds),
        },
        repetitions: run.repetitions.map(roundJson),
      })),
      ...preciceJson(benchmark),
      repeat: benchmark.repeat,
      ...(benchmark.machine === undefined ? {} : { machine: benchmark.machine }),
    },
    null,
    2,
  );
}

/** "14 ×10" for flat counts, else the list. */
function counts(iterations: readonly number[]): string {
  if (iterations.length > 0 && iterations.every((count) => count === iterations[0])) {
    return `${iterations[0]} in every window`;
  }
  return iterations.length > 24 ? `${Math.min(...iterations)} to ${Math.max(...iterations)}` : iterations.join(",");
}

/** What the table needs of a preCICE run of either case. */
interface PeerRun {
  acceleration: string;
  iterations: number[];
  total: number;
  msPerIteration: number;
  msPerWindow: number;
  warnings: number;
  notConverged?: number;
  nonFiniteFrom?: number;
}

function peerCell(peer: PeerRun): string {
  const stalled =
    peer.notConverged !== undefined && peer.notConverged > 0 ? `, ${peer.notConverged} not converged` : "";
  const nan = peer.nonFiniteFrom === undefined ? "" : `, NaN from t = ${peer.nonFiniteFrom}`;
  return `${counts(peer.iterations)} (${peer.total}${stalled}${nan})`;
}

function label(run: ImplicitRun): string {
  return run.pair === "c-c" ? `${run.acceleration} (all C)` : run.acceleration;
}

/** The median round's mean ± sd. */
function meanCell(distribution: Distribution): string {
  if (distribution.n === 0) return "–";
  return `${cell(distribution.mean)} ± ${cell(distribution.sd)}`;
}

/** A statistic's median over the rounds with [min–max], or "–" where nothing was timed. */
function spreadCell(distribution: Distribution, figure: Spread): string {
  return distribution.n === 0 ? "–" : withSpread(figure);
}

/** The iterations' total of the median round, with the rounds' range when they did not all take as many. */
function totalCell(run: ImplicitRun): string {
  const { totals } = run;
  return totals.min === totals.max ? String(run.total) : `${run.total} [${totals.min}–${totals.max}]`;
}

function microsecondsOf(milliseconds: number): string {
  return (milliseconds * 1000).toFixed(0);
}

export function implicitBenchmarkTable(benchmark: ImplicitBenchmark): string {
  if (benchmark.skipped !== undefined) return `bench implicit: skipped: ${benchmark.skipped}\n`;
  const lines: string[] = [
    `Every run made in each of ${benchmark.repeat} rounds, interleaved, and shown by the round whose iteration p50 is the median`,
    "",
  ];
  for (const caseName of ["heat", "tube"] as const) {
    const runs = benchmark.runs.filter((run) => run.case === caseName);
    if (runs.length === 0) continue;
    lines.push(
      caseName === "heat"
        ? "Partitioned heat (Python Dirichlet, C Neumann; window 0.1, 10 substeps, relative 1e-10), serial-implicit"
        : "Elastic tube 1-D (C fluid, Python wall; 100 windows of 0.01, relative 1e-5), serial-implicit",
    );
    const precice: PreciceRepeated<PeerRun>[] =
      caseName === "heat" ? (benchmark.precice?.runs ?? []) : (benchmark.preciceTube?.runs ?? []);
    const peerResult = caseName === "heat" ? benchmark.precice : benchmark.preciceTube;
    lines.push(
      ...alignColumns([
        ["  acceleration", "iterations per window", "total", precice.length === 0 ? "" : "preCICE, same solver"],
        ...runs.map((run: ImplicitRun) => {
          const peer =
            run.pair === "c-c" ? undefined : precice.find((entry) => entry.acceleration === run.acceleration);
          return [
            `  ${label(run)}`,
            `${counts(run.iterations)}${run.notConverged > 0 ? ` (${run.notConverged} not converged)` : ""}${run.failure === undefined ? "" : " FAILED"}`,
            totalCell(run),
            peer === undefined ? "" : peerCell(peer),
          ];
        }),
      ]),
    );
    lines.push(
      "",
      `  times in µs, median [min–max] of the ${benchmark.repeat} rounds' p50 (p99); mean ± sd of the median round:`,
    );
    lines.push(
      ...alignColumns([
        [
          "  acceleration",
          "per iteration p50",
          "per window p50",
          "acceleration p50",
          "acceleration p99",
          "per iteration mean ± sd",
        ],
        ...runs.map((run) => [
          `  ${label(run)}`,
          spreadCell(run.iteration, run.iterationRounds.spread.p50),
          spreadCell(run.window, run.windowRounds.spread.p50),
          spreadCell(run.accelerationCost, run.accelerationRounds.spread.p50),
          spreadCell(run.accelerationCost, run.accelerationRounds.spread.p99),
          meanCell(run.iteration),
        ]),
      ]),
    );
    if (caseName === "heat") {
      const errors = runs.filter((run) => run.maxError !== undefined).map((run) => run.maxError as number);
      if (errors.length > 0)
        lines.push(`  largest relative L2 error against u at a window's end: ${Math.max(...errors).toExponential(2)}`);
    }
    if (peerResult?.skipped !== undefined) lines.push(`  preCICE: skipped: ${peerResult.skipped}`);
    for (const peer of precice) {
      // Timed beside our all-C pair, interleaved with it: the same solver under two couplers, compared by medians.
      const ours = runs.find((run) => run.pair === "c-c" && run.acceleration === peer.acceleration);
      const oursMean = ours?.iterationRounds.spread.mean;
      lines.push(
        `  preCICE ${peerResult?.installation?.version ?? ""} ${peer.acceleration} (all C): ${withSpread(peer.msPerIterationRounds, microsecondsOf)} µs an iteration, ${withSpread(peer.msPerWindowRounds, microsecondsOf)} µs a window, ${peer.warnings} warnings${ours === undefined || oursMean === undefined ? "" : `; Conflux, all C: ${withSpread(oursMean)} µs an iteration (mean; p50 ${cell(ours.iterationRounds.spread.p50.median)}), ${withSpread(ours.windowRounds.spread.mean)} µs a window; preCICE ÷ Conflux, an iteration: ${((1000 * peer.msPerIterationRounds.median) / oursMean.median).toFixed(2)}× (medians of this run)`}`,
      );
    }
    for (const run of runs) if (run.failure !== undefined) lines.push(`  ${run.acceleration} failed: ${run.failure}`);
    lines.push("");
  }
  if (benchmark.machine !== undefined) lines.push(machineLine(benchmark.machine), "");
  return `${lines.join("\n")}`;
}
