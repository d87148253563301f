import { type CouplingRow, PRECICE_REFERENCE } from "./coupling.ts";
import { alignColumns, formatMicroseconds } from "./table.ts";

export function couplingBenchmarkJson(rows: CouplingRow[]): string {
  return JSON.stringify(
    {
      rows: rows.map((row) => ({
        operator: row.operator,
        points: row.points,
        n: row.distribution.n,
        setup_ms: row.setupMs,
        mean_us: row.distribution.mean,
        sd_us: row.distribution.sd,
        p50_us: row.distribution.p50,
        p99_us: row.distribution.p99,
        max_us: row.distribution.max,
        max_error: row.maxError,
      })),
      reference: { name: "preCICE 3.4.1, measured on this machine kind", ...PRECICE_REFERENCE },
    },
    null,
    2,
  );
}

export function couplingBenchmarkTable(rows: CouplingRow[]): string {
  const lines = [
    "Per coupling window as seen by A (µs), two processes, serial explicit; preCICE 3.4.1 on this machine kind beside",
  ];
  lines.push(
    ...alignColumns([
      [
        "operator",
        "points",
        "n",
        "setup (ms, both sides)",
        "mean ± sd",
        "p50",
        "p99",
        "max",
        "max error",
        "preCICE p50 / p99",
        "preCICE setup (ms)",
      ],
      ...rows.map((row) => {
        const reference = PRECICE_REFERENCE[row.operator];
        const d = row.distribution;
        return [
          row.operator,
          String(row.points),
          String(d.n),
          row.setupMs.toFixed(1),
          `${formatMicroseconds(d.mean)} ± ${formatMicroseconds(d.sd)}`,
          formatMicroseconds(d.p50),
          formatMicroseconds(d.p99),
          formatMicroseconds(d.max),
          row.maxError.toExponential(1),
          `${reference.p50_us} / ${reference.p99_us}`,
          reference.setup_ms,
        ];
      }),
    ]),
  );
  return `${lines.join("\n")}\n`;
}
