// The figures of `bench coupling`, from its interleaved repetitions: each the
// median of the repetitions with its spread (fastest and slowest), and every
// ratio a quotient of two such medians from this run. The table and the JSON
// both print these, so they cannot disagree.
import type { Distribution } from "../stats/distribution.ts";
import { type Spread, spread } from "../stats/spread.ts";
import type { CouplingOperator } from "./coupling.ts";
import type { PreciceCouplingMeasurement } from "./coupling-peers/precice-coupling-peer.ts";
import type { Column, CouplingBenchResult, CouplingOperatorRuns } from "./coupling-repetitions.ts";
import type { OutlierCause } from "./outlier-probe.ts";

/** A column's window figures, µs (setup in ms), the medians of its repetitions. */
export interface WindowFigures {
  /** Windows per repetition. */
  n: number;
  mean: Spread;
  sd: Spread;
  p50: Spread;
  p99: Spread;
  max: Spread;
}

export interface PreciceFigures {
  windows: WindowFigures;
  /** preCICE's initialize, ms: the later of the two participants'. */
  initializeMs: Spread;
  maxError: number;
}

export interface CouplingRatios {
  /** Ours over the C floor (nearest only). */
  p50OverFloorP50?: number;
  p99OverFloorP99?: number;
  /** Ours over preCICE's. */
  p50OverPreciceP50?: number;
  p99OverPreciceP99?: number;
  setupOverPreciceInitialize?: number;
}

export interface CouplingOperatorFigures {
  operator: CouplingOperator;
  ours: WindowFigures;
  setupMs: Spread;
  /** The largest over the repetitions: the fields are the same every time. */
  maxError: number;
  finiteCheckUs: Spread;
  withoutCheck: WindowFigures;
  /** Windows above p99 of their own repetition, over all repetitions, and their causes. */
  tail: { above: number; windows: number; causes: Record<OutlierCause, number>; phases: Record<string, number> };
  precice?: { figures?: PreciceFigures; skipped?: string; failed?: string; retried?: string[] };
  ratios: CouplingRatios;
}

export interface CouplingFigures {
  points: number;
  windows: number;
  repeats: number;
  rows: CouplingOperatorFigures[];
  floor?: { figures?: WindowFigures; skipped?: string };
  result: CouplingBenchResult;
}

function windowFigures(runs: readonly Distribution[]): WindowFigures {
  return {
    n: runs[0]?.n ?? 0,
    mean: spread(runs.map((run) => run.mean)),
    sd: spread(runs.map((run) => run.sd)),
    p50: spread(runs.map((run) => run.p50)),
    p99: spread(runs.map((run) => run.p99)),
    max: spread(runs.map((run) => run.max)),
  };
}

function preciceFigures(column: Column<PreciceCouplingMeasurement>): PreciceFigures | undefined {
  if (column.runs.length === 0) return undefined;
  return {
    windows: windowFigures(column.runs.map((run) => run.distribution)),
    initializeMs: spread(column.runs.map((run) => run.initializeMs)),
    maxError: Math.max(...column.runs.map((run) => run.maxError)),
  };
}

function tailOf(row: CouplingOperatorRuns): CouplingOperatorFigures["tail"] {
  const first = row.ours[0]?.tail.causes;
  const causes = { ...(first ?? {}) } as Record<OutlierCause, number>;
  for (const cause of Object.keys(causes) as OutlierCause[]) causes[cause] = 0;
  const phases: Record<string, number> = {};
  let above = 0;
  let windows = 0;
  for (const run of row.ours) {
    above += run.tail.above;
    windows += run.distribution.n;
    for (const [cause, count] of Object.entries(run.tail.causes) as [OutlierCause, number][]) causes[cause] += count;
    for (const [phase, count] of Object.entries(run.tail.phases)) phases[phase] = (phases[phase] ?? 0) + count;
  }
  return { above, windows, causes, phases };
}

export function couplingFigures(result: CouplingBenchResult): CouplingFigures {
  const floorFigures =
    result.floor === undefined || result.floor.runs.length === 0 ? undefined : windowFigures(result.floor.runs);
  const rows = result.rows.map((row): CouplingOperatorFigures => {
    const ours = windowFigures(row.ours.map((run) => run.distribution));
    const setupMs = spread(row.ours.map((run) => run.setupMs));
    const peerFigures = row.precice === undefined ? undefined : preciceFigures(row.precice);
    const precice =
      row.precice === undefined
        ? undefined
        : {
            ...(peerFigures === undefined ? {} : { figures: peerFigures }),
            ...(row.precice.skipped === undefined ? {} : { skipped: row.precice.skipped }),
            ...(row.precice.failed === undefined ? {} : { failed: row.precice.failed }),
            ...(row.precice.retried === undefined ? {} : { retried: row.precice.retried }),
          };
    const ratios: CouplingRatios = {};
    if (row.operator === "nearest" && floorFigures !== undefined) {
      ratios.p50OverFloorP50 = ours.p50.median / floorFigures.p50.median;
      ratios.p99OverFloorP99 = ours.p99.median / floorFigures.p99.median;
    }
    const peer = precice?.figures;
    if (peer !== undefined) {
      ratios.p50OverPreciceP50 = ours.p50.median / peer.windows.p50.median;
      ratios.p99OverPreciceP99 = ours.p99.median / peer.windows.p99.median;
      ratios.setupOverPreciceInitialize = setupMs.median / peer.initializeMs.median;
    }
    return {
      operator: row.operator,
      ours,
      setupMs,
      maxError: Math.max(...row.ours.map((run) => run.maxError)),
      finiteCheckUs: spread(row.ours.map((run) => run.finiteCheckUs)),
      withoutCheck: windowFigures(row.withoutCheck),
      tail: tailOf(row),
      ...(precice === undefined ? {} : { precice }),
      ratios,
    };
  });
  return {
    points: result.points,
    windows: result.windows,
    repeats: result.repeats,
    rows,
    ...(result.floor === undefined
      ? {}
      : {
          floor: {
            ...(floorFigures === undefined ? {} : { figures: floorFigures }),
            ...(result.floor.skipped === undefined ? {} : { skipped: result.floor.skipped }),
          },
        }),
    result,
  };
}
