// What `conflux bench implicit` prints: per case and acceleration, the
// iterations per window (preCICE's beside, from the same run), and the distributions (mean ± sd, p50, p99, max) of a coupling
// iteration, a window and the driver's acceleration per iteration; or JSON.
import type { Distribution } from "../../stats/distribution.ts";
import { alignColumns, formatMicroseconds as cell } from "../../stats/table.ts";
import { distributionJson } from "../distribution-json.ts";
import type { ImplicitBenchmark, ImplicitRun } from "./implicit-benchmark.ts";

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
        total: run.total,
        windows: run.iterations.length,
        not_converged: run.notConverged,
        iteration: distributionJson(run.iteration),
        window: distributionJson(run.window),
        acceleration_cost: distributionJson(run.accelerationCost),
        convergence_cost: distributionJson(run.convergenceCost),
        ...(run.maxError === undefined ? {} : { max_error: run.maxError }),
        wall_s: run.wallSeconds,
        ...(run.failure === undefined ? {} : { failure: run.failure }),
      })),
      ...preciceJson(benchmark),
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

function timeCell(distribution: Distribution): string {
  if (distribution.n === 0) return "–";
  return `${cell(distribution.mean)} ± ${cell(distribution.sd)}`;
}

export function implicitBenchmarkTable(benchmark: ImplicitBenchmark): string {
  if (benchmark.skipped !== undefined) return `bench implicit: skipped: ${benchmark.skipped}\n`;
  const lines: string[] = [];
  for (const caseName of ["heat", "tube"] as const) {
    const runs = benchmark.runs.filter((run) => run.case === caseName);
    if (runs.length === 0) continue;
    lines.push(
      caseName === "heat"
        ? "Partitioned heat (Python Dirichlet, C Neumann; window 0.1, 10 substeps, relative 1e-10), serial-implicit"
        : "Elastic tube 1-D (C fluid, Python wall; 100 windows of 0.01, relative 1e-5), serial-implicit",
    );
    const precice: PeerRun[] =
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
            String(run.total),
            peer === undefined ? "" : peerCell(peer),
          ];
        }),
      ]),
    );
    lines.push("", "  times in µs, mean ± sd (p50 / p99 / max):");
    lines.push(
      ...alignColumns([
        ["  acceleration", "per iteration", "per window", "acceleration per iteration", "p50 / p99 / max"],
        ...runs.map((run) => [
          `  ${label(run)}`,
          timeCell(run.iteration),
          timeCell(run.window),
          timeCell(run.accelerationCost),
          run.accelerationCost.n === 0
            ? "–"
            : `${cell(run.accelerationCost.p50)} / ${cell(run.accelerationCost.p99)} / ${cell(run.accelerationCost.max)}`,
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
      // Timed beside our all-C pair: the same solver under two couplers.
      const ours = runs.find((run) => run.pair === "c-c" && run.acceleration === peer.acceleration);
      lines.push(
        `  preCICE ${peerResult?.installation?.version ?? ""} ${peer.acceleration} (all C): ${(peer.msPerIteration * 1000).toFixed(0)} µs an iteration, ${(peer.msPerWindow * 1000).toFixed(0)} µs a window, ${peer.warnings} warnings${ours === undefined ? "" : `; Conflux, all C: ${cell(ours.iteration.mean)} µs an iteration (p50 ${cell(ours.iteration.p50)}), ${cell(ours.window.mean)} µs a window`}`,
      );
    }
    for (const run of runs) if (run.failure !== undefined) lines.push(`  ${run.acceleration} failed: ${run.failure}`);
    lines.push("");
  }
  return `${lines.join("\n")}`;
}
