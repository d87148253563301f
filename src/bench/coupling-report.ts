// `bench coupling`'s table and JSON, both from coupling-figures.ts: each
// figure the median of the interleaved repetitions with [min–max], the ratios
// between figures of this run, the tail's causes, and the machine's load.
import type { Spread } from "../stats/spread.ts";
import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import { warmupWindows } from "./coupling.ts";
import type {
  CouplingFigures,
  CouplingOperatorFigures,
  CouplingRatios,
  PreciceFigures,
  WindowFigures,
} from "./coupling-figures.ts";
import { withSpread } from "./interleaved-rounds.ts";
import { machineLine } from "./machine-load.ts";
import type { OutlierCause } from "./outlier-probe.ts";

const FLOOR_NAME = "the nearest window's data movement in C, three processes, same run";

function figureJson(figure: Spread): Spread {
  return { median: figure.median, min: figure.min, max: figure.max, n: figure.n };
}

function spreadJson(figures: WindowFigures): Record<string, Spread> {
  return { p50_us: figureJson(figures.p50), p99_us: figureJson(figures.p99), mean_us: figureJson(figures.mean) };
}

function ratiosJson(ratios: CouplingRatios): Record<string, number> {
  const json: Record<string, number> = {};
  if (ratios.p50OverFloorP50 !== undefined) json.p50_over_floor_p50 = ratios.p50OverFloorP50;
  if (ratios.p99OverFloorP99 !== undefined) json.p99_over_floor_p99 = ratios.p99OverFloorP99;
  if (ratios.p50OverPreciceP50 !== undefined) json.p50_over_precice_p50 = ratios.p50OverPreciceP50;
  if (ratios.p99OverPreciceP99 !== undefined) json.p99_over_precice_p99 = ratios.p99OverPreciceP99;
  if (ratios.setupOverPreciceInitialize !== undefined) {
    json.setup_over_precice_initialize = ratios.setupOverPreciceInitialize;
  }
  return json;
}

function preciceJson(precice: NonNullable<CouplingOperatorFigures["precice"]>): Record<string, unknown> {
  const figures: PreciceFigures | undefined = precice.figures;
  return {
    ...(figures === undefined
      ? {}
      : {
          n: figures.windows.n,
          mean_us: figures.windows.mean.median,
          p50_us: figures.windows.p50.median,
          p99_us: figures.windows.p99.median,
          max_us: figures.windows.max.median,
          initialize_ms: figures.initializeMs.median,
          max_error: figures.maxError,
          spread: { ...spreadJson(figures.windows), initialize_ms: figureJson(figures.initializeMs) },
        }),
    ...(precice.skipped === undefined ? {} : { skipped: precice.skipped }),
    ...(precice.failed === undefined ? {} : { failed: precice.failed }),
    ...(precice.retried === undefined ? {} : { retried: precice.retried }),
  };
}

export function couplingBenchmarkJson(figures: CouplingFigures): string {
  const { result, floor } = figures;
  return JSON.stringify(
    {
      points: figures.points,
      windows: figures.windows,
      warmup_windows: warmupWindows(figures.windows),
      repetitions: figures.repeats,
      rows: figures.rows.map((row) => ({
        operator: row.operator,
        points: figures.points,
        n: row.ours.n,
        setup_ms: row.setupMs.median,
        mean_us: row.ours.mean.median,
        sd_us: row.ours.sd.median,
        p50_us: row.ours.p50.median,
        p99_us: row.ours.p99.median,
        max_us: row.ours.max.median,
        max_error: row.maxError,
        finite_check: {
          per_window_us: row.finiteCheckUs.median,
          share_of_p50: row.finiteCheckUs.median / row.ours.p50.median,
          p50_without_check_us: row.withoutCheck.p50.median,
          p99_without_check_us: row.withoutCheck.p99.median,
        },
        spread: { ...spreadJson(row.ours), setup_ms: figureJson(row.setupMs) },
        tail: {
          above_p99: row.tail.above,
          windows: row.tail.windows,
          causes: row.tail.causes,
          longest_phase: row.tail.phases,
        },
        ...(row.precice === undefined ? {} : { precice: preciceJson(row.precice) }),
        ratios: ratiosJson(row.ratios),
      })),
      ...(floor === undefined
        ? {}
        : {
            floor:
              floor.figures === undefined
                ? { skipped: floor.skipped }
                : {
                    name: FLOOR_NAME,
                    n: floor.figures.n,
                    mean_us: floor.figures.mean.median,
                    sd_us: floor.figures.sd.median,
                    p50_us: floor.figures.p50.median,
                    p99_us: floor.figures.p99.median,
                    max_us: floor.figures.max.median,
                    spread: spreadJson(floor.figures),
                  },
          }),
      ...(result.precice === undefined
        ? {}
        : {
            peer: {
              name: "precice",
              ...(result.precice.version === undefined ? {} : { version: result.precice.version }),
              ...(result.precice.program === undefined ? {} : { program: result.precice.program }),
              ...(result.precice.skipped === undefined ? {} : { skipped: result.precice.skipped }),
            },
          }),
      machine: result.machine,
    },
    null,
    2,
  );
}

function milliseconds(value: number): string {
  return value.toFixed(1);
}

function times(ratio: number | undefined): string {
  return ratio === undefined ? "–" : `${ratio.toFixed(2)}×`;
}

function windowCells(figures: WindowFigures): string[] {
  return [String(figures.n), withSpread(figures.p50), withSpread(figures.p99), formatMicroseconds(figures.max.median)];
}

function operatorRows(row: CouplingOperatorFigures, figures: CouplingFigures, precice: string): string[][] {
  const rows = [
    [
      row.operator,
      "conflux",
      withSpread(row.setupMs, milliseconds),
      ...windowCells(row.ours),
      row.maxError.toExponential(1),
    ],
    [row.operator, "conflux, finite check off", "", ...windowCells(row.withoutCheck), ""],
  ];
  const peer = row.precice;
  if (peer !== undefined) {
    if (peer.figures !== undefined) {
      rows.push([
        row.operator,
        precice,
        `${withSpread(peer.figures.initializeMs, milliseconds)} (initialize)`,
        ...windowCells(peer.figures.windows),
        peer.figures.maxError.toExponential(1),
      ]);
    }
    // The reasons are long: the row says which, the lines under the table say why.
    if (peer.skipped !== undefined) rows.push([row.operator, precice, "skipped (why: below)"]);
    if (peer.failed !== undefined) rows.push([row.operator, precice, "failed (why: below)"]);
  }
  const floor = figures.floor;
  if (row.operator === "nearest" && floor !== undefined) {
    if (floor.figures !== undefined) rows.push([row.operator, "C floor", "", ...windowCells(floor.figures), ""]);
    else rows.push([row.operator, "C floor", "skipped (why: below)"]);
  }
  return rows;
}

/** Why a column is missing, or was run again, one line each. */
function whyNotLines(figures: CouplingFigures, precice: string): string[] {
  const lines: string[] = [];
  if (figures.result.precice?.skipped !== undefined) {
    lines.push(`${precice}: skipped: ${figures.result.precice.skipped}`);
  }
  for (const row of figures.rows) {
    const peer = row.precice;
    if (peer?.failed !== undefined) lines.push(`${row.operator}, ${precice}: failed: ${peer.failed}`);
    for (const reason of peer?.retried ?? [])
      lines.push(`${row.operator}, ${precice}: a run was repeated after: ${reason}`);
  }
  if (figures.floor?.skipped !== undefined) lines.push(`C floor: skipped: ${figures.floor.skipped}`);
  return lines;
}

function ratioLines(row: CouplingOperatorFigures): string[] {
  const { ratios } = row;
  const lines: string[] = [];
  if (ratios.p50OverFloorP50 !== undefined && ratios.p99OverFloorP99 !== undefined) {
    lines.push(
      `  ${row.operator}: conflux ÷ C floor: p50 ${times(ratios.p50OverFloorP50)} (target ≤ 1.20×${ratios.p50OverFloorP50 <= 1.2 ? "" : ", above it"}), p99 ${times(ratios.p99OverFloorP99)} (target ≤ 2.00×${ratios.p99OverFloorP99 <= 2 ? "" : ", above it"})`,
    );
  }
  if (ratios.p50OverPreciceP50 !== undefined) {
    lines.push(
      `  ${row.operator}: conflux ÷ preCICE: p50 ${times(ratios.p50OverPreciceP50)}, p99 ${times(ratios.p99OverPreciceP99)}, setup ÷ initialize ${times(ratios.setupOverPreciceInitialize)}`,
    );
  }
  return lines;
}

/** What the check for non-finite values costs a window: alone, and the window's p50 with it off, same invocation. */
function finiteCheckLine(row: CouplingOperatorFigures): string {
  const cost = row.finiteCheckUs.median;
  const share = (100 * cost) / row.ours.p50.median;
  return `  ${row.operator}: the check for non-finite values (coupling.check_finite, on by default) takes ${withSpread(row.finiteCheckUs)} µs per window over both carried fields, ${share.toFixed(1)}% of the window's p50`;
}

function tailLines(figures: CouplingFigures): string[] {
  const causes = Object.keys(figures.rows[0]?.tail.causes ?? {}) as OutlierCause[];
  const phases = [...new Set(figures.rows.flatMap((row) => Object.keys(row.tail.phases)))];
  return alignColumns([
    ["cause", ...figures.rows.map((row) => row.operator)],
    ["windows above p99", ...figures.rows.map((row) => `${row.tail.above} of ${row.tail.windows}`)],
    ...causes.map((cause) => [cause, ...figures.rows.map((row) => String(row.tail.causes[cause]))]),
    ...phases.map((phase) => [
      `longest over its median: ${phase}`,
      ...figures.rows.map((row) => String(row.tail.phases[phase] ?? 0)),
    ]),
  ]).map((line) => `  ${line}`);
}

export function couplingBenchmarkTable(figures: CouplingFigures): string {
  const { result } = figures;
  const precice = result.precice?.version === undefined ? "preCICE" : `preCICE ${result.precice.version}`;
  const lines = [
    `Per coupling window as seen by A (µs), two processes, serial explicit, ${figures.points} points a side, ${figures.windows} windows after ${warmupWindows(figures.windows)} warm-up windows (in every column); each figure the median of ${figures.repeats} repetitions run interleaved [fastest–slowest]`,
    ...alignColumns([
      ["operator", "column", "setup (ms)", "n", "p50", "p99", "max", "max error"],
      ...figures.rows.flatMap((row) => operatorRows(row, figures, precice)),
    ]),
  ];
  lines.push(...whyNotLines(figures, precice));
  if (result.precice?.program !== undefined) {
    lines.push(
      `${precice}: its two-participant benchmark (${result.precice.program === "installed" ? "the installation's bin/precice-bench" : "built here against the installation"}), A's advance() per window, the same point count, operator and windows, its own random points; setup is the later participant's initialize (mesh exchange and mapping setup), ours both operators' setup`,
    );
  }
  lines.push("Ratios between medians of this run:", ...figures.rows.flatMap(ratioLines));
  lines.push(...figures.rows.map(finiteCheckLine));
  lines.push(
    `Windows of conflux's column above the p99 of their own repetition, over ${figures.repeats} repetitions, by what the driver's process saw during them (a window can have several causes), and by the phase of the window that ran longest over its median (one each):`,
    ...tailLines(figures),
  );
  lines.push(machineLine(result.machine, "; other work on the machine inflates every figure"));
  return `${lines.join("\n")}\n`;
}
