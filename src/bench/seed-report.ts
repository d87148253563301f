// The seed benchmark as the talk's table (one column per enclave kind), beside
// the talk's own figures, or as JSON.

import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import type { SeedBenchmark, SeedMeasurement } from "./seed.ts";

const MEASUREMENTS: { key: SeedMeasurement; label: string; talk: string }[] = [
  { key: "command-queue", label: "command queue", talk: "48.3 ± 20.8 | 48.3 ± 20.8 | 37.1 ± 83.0" },
  { key: "a-to-b", label: "appA → appB transform", talk: "14,080 ± 852 | 9,986 ± 692 | 9,400 ± 135" },
  { key: "b-to-a", label: "appB → appA transform", talk: "17,298 ± 143 | 13,570 ± 111 | 13,153 ± 127" },
  { key: "iteration", label: "complete iteration", talk: "31,395 ± 660 | 25,132 ± 312 | 23,422 ± 469" },
];

export function seedBenchmarkJson(result: SeedBenchmark): string {
  return JSON.stringify(
    {
      points: result.points,
      iterations: result.iterations,
      rows: result.rows.map((row) => ({
        measurement: row.measurement,
        enclave: row.enclave,
        n: row.distribution.n,
        mean_us: row.distribution.mean,
        sd_us: row.distribution.sd,
        p50_us: row.distribution.p50,
        p99_us: row.distribution.p99,
        max_us: row.distribution.max,
      })),
      outliers: result.outliers,
      boots: result.boots,
      notes: result.notes,
      skipped: result.skipped,
    },
    null,
    2,
  );
}

export function seedBenchmarkTable(result: SeedBenchmark): string {
  const enclaves = [...new Set(result.rows.map((row) => row.enclave))];
  const lines = [
    `The talk's demonstration: ${result.points} random 3-D points per app, ${result.iterations} iterations, nearest-neighbour transfers (µs: mean ± sd, p50 / p99 / max)`,
  ];
  const header = ["measurement", ...enclaves, "the talk (baseline | process | container)"];
  const rows = MEASUREMENTS.map(({ key, label, talk }) => [
    label,
    ...enclaves.map((enclave) => {
      const row = result.rows.find((candidate) => candidate.measurement === key && candidate.enclave === enclave);
      if (row === undefined) return "–";
      const d = row.distribution;
      return `${formatMicroseconds(d.mean)} ± ${formatMicroseconds(d.sd)}, ${formatMicroseconds(d.p50)} / ${formatMicroseconds(d.p99)} / ${formatMicroseconds(d.max)}`;
    }),
    talk,
  ]);
  lines.push(...alignColumns([header, ...rows]));
  lines.push("", "Iterations above p99, by what happened during them (a sample can have several causes):");
  for (const outlier of result.outliers) {
    const causes = Object.entries(outlier.causes)
      .filter(([, count]) => count > 0)
      .map(([cause, count]) => `${cause} ${count}`)
      .join(", ");
    lines.push(`  ${outlier.enclave}: ${outlier.above} above p99${causes === "" ? "" : ` — ${causes}`}`);
  }
  for (const boot of result.boots) {
    lines.push(
      `${boot.enclave} boot (${boot.component}'s guest, ${boot.accel.toUpperCase()}): ${(boot.ms / 1000).toFixed(2)} s from QEMU's start to the component's, before the first iteration`,
    );
  }
  for (const note of result.notes) lines.push(note);
  for (const reason of result.skipped) lines.push(`skipped: ${reason}`);
  return `${lines.join("\n")}\n`;
}
