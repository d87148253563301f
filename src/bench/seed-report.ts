// The seed benchmark as the talk's table (one column per enclave kind, every
// figure the median of the repetitions with its spread), beside the talk's
// own figures, with the ratios the project's goals name and the machine's
// load; or as JSON.

import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import { machineLine } from "./machine-load.ts";
import { type Figure, figureOf } from "./map-figures.ts";
import { SEED_STATISTICS, type SeedBenchmark, type SeedBoot, type SeedMeasurement, type SeedRow } from "./seed.ts";

const MEASUREMENTS: { key: SeedMeasurement; label: string; talk: string }[] = [
  { key: "command-queue", label: "command queue", talk: "48.3 ± 20.8 | 48.3 ± 20.8 | 37.1 ± 83.0" },
  { key: "a-to-b", label: "appA → appB transform", talk: "14,080 ± 852 | 9,986 ± 692 | 9,400 ± 135" },
  { key: "b-to-a", label: "appB → appA transform", talk: "17,298 ± 143 | 13,570 ± 111 | 13,153 ± 127" },
  { key: "iteration", label: "complete iteration", talk: "31,395 ± 660 | 25,132 ± 312 | 23,422 ± 469" },
];

function rowJson(row: SeedRow) {
  const { figures } = row;
  return {
    measurement: row.measurement,
    enclave: row.enclave,
    // The fields a single run had, now each the median over the repetitions (n: the samples of one repetition).
    n: samplesPerRun(row),
    mean_us: figures.mean.median,
    sd_us: figures.sd.median,
    p50_us: figures.p50.median,
    p99_us: figures.p99.median,
    max_us: figures.max.median,
    spread: Object.fromEntries(SEED_STATISTICS.map((statistic) => [`${statistic}_us`, figures[statistic]])),
    runs: row.runs.map((run, repetition) => ({
      repetition,
      n: run.n,
      mean_us: run.mean,
      sd_us: run.sd,
      p50_us: run.p50,
      p99_us: run.p99,
      max_us: run.max,
    })),
  };
}

/** Every repetition of a row has as many samples (the iterations, or the pings of the command queue). */
function samplesPerRun(row: SeedRow): number {
  return row.runs[0]?.n ?? 0;
}

export function seedBenchmarkJson(result: SeedBenchmark): string {
  return JSON.stringify(
    {
      points: result.points,
      iterations: result.iterations,
      repetitions: result.repetitions,
      order: result.order,
      rows: result.rows.map(rowJson),
      ratios: result.ratios.map((ratio) => ({
        of: ratio.of,
        over: ratio.over,
        measurement: "iteration",
        statistic: "p50",
        ratio: ratio.ratio,
        pairs: ratio.pairs,
        target: ratio.target,
        within_target: ratio.ratio <= ratio.target,
      })),
      outliers: result.outliers,
      boots: result.boots,
      notes: result.notes,
      skipped: result.skipped,
      machine: result.machine,
    },
    null,
    2,
  );
}

function spread(figure: Figure): string {
  return `${formatMicroseconds(figure.median)} (${formatMicroseconds(figure.min)}–${formatMicroseconds(figure.max)})`;
}

function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}

/** The rows of one measurement: p50, mean ± sd, p99 and max, each a median with its spread. */
const LINES: { label: string; cell: (row: SeedRow) => string }[] = [
  { label: "p50", cell: (row) => spread(row.figures.p50) },
  { label: "mean ± sd", cell: (row) => `${spread(row.figures.mean)} ± ${spread(row.figures.sd)}` },
  { label: "p99", cell: (row) => spread(row.figures.p99) },
  { label: "max", cell: (row) => spread(row.figures.max) },
];

export function seedBenchmarkTable(result: SeedBenchmark): string {
  const enclaves = [...new Set(result.rows.map((row) => row.enclave))];
  const lines = [
    `The talk's demonstration: ${result.points} random 3-D points per app, ${result.iterations} iterations, nearest-neighbour transfers (µs)`,
    `every figure: median (fastest–slowest) of ${result.repetitions} repetitions, ${enclaves.length > 1 ? `the columns run interleaved (${[...enclaves, enclaves[0]].join(", ")}, …)` : "one after another"}, each repetition a fresh run`,
    machineLine(result.machine, " (other work on the machine inflates every figure)"),
    "",
  ];
  const header = ["measurement", "", ...enclaves, "the talk: mean ± sd (baseline | process | container)"];
  const rows = MEASUREMENTS.flatMap(({ key, label, talk }) =>
    LINES.map((line, index) => [
      index === 0 ? label : "",
      line.label,
      ...enclaves.map((enclave) => {
        const row = result.rows.find((candidate) => candidate.measurement === key && candidate.enclave === enclave);
        return row === undefined ? "–" : line.cell(row);
      }),
      line.label === "mean ± sd" ? talk : "",
    ]),
  );
  lines.push(...alignColumns([header, ...rows]));
  if (result.ratios.length > 0) {
    lines.push(
      "",
      "Ratios of the complete iteration's p50, between columns of this run (median ÷ median; in brackets the range of repetition k ÷ repetition k):",
    );
    for (const ratio of result.ratios) {
      lines.push(
        `  ${ratio.of} ÷ ${ratio.over}: ${times(ratio.ratio)} [${times(ratio.pairs.min)}–${times(ratio.pairs.max)}]; target ≤ ${ratio.target.toFixed(2)}×${ratio.ratio <= ratio.target ? "" : " (above it)"}`,
      );
    }
  }
  lines.push(
    "",
    `Iterations above p99 (of their own repetition), over ${result.repetitions} repetitions, by what happened during them (a sample can have several causes):`,
  );
  for (const outlier of result.outliers) {
    const causes = Object.entries(outlier.causes)
      .filter(([, count]) => count > 0)
      .map(([cause, count]) => `${cause} ${count}`)
      .join(", ");
    lines.push(`  ${outlier.enclave}: ${outlier.above} above p99${causes === "" ? "" : ` — ${causes}`}`);
  }
  // One line per guest: a boot is a figure like any other, the median of the repetitions' boots with their range.
  const guests = new Map<string, SeedBoot[]>();
  for (const boot of result.boots) {
    const key = `${boot.enclave} boot (${boot.component}'s guest, ${boot.accel.toUpperCase()})`;
    guests.set(key, [...(guests.get(key) ?? []), boot]);
  }
  for (const [guest, boots] of guests) {
    const seconds = figureOf(boots.map((boot) => boot.ms / 1000));
    lines.push(
      `${guest}: ${seconds.median.toFixed(2)} s (${seconds.min.toFixed(2)}–${seconds.max.toFixed(2)}) over ${seconds.n} boots, from QEMU's start to the component's, before the first iteration`,
    );
  }
  for (const note of result.notes) lines.push(note);
  for (const reason of result.skipped) lines.push(`skipped: ${reason}`);
  return `${lines.join("\n")}\n`;
}
