import { scaled } from "../stats/distribution.ts";
import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import type { FloorResult } from "./c-floor-runner.ts";
import { type CouplingRow, PRECICE_REFERENCE } from "./coupling.ts";

export function couplingBenchmarkJson(rows: CouplingRow[], floor?: FloorResult): string {
  const floorUs = floor?.distribution === undefined ? undefined : scaled(floor.distribution, 1e-3);
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
        finite_check: {
          per_window_us: row.finiteCheck.perWindowUs,
          share_of_p50: row.finiteCheck.perWindowUs / row.distribution.p50,
          p50_without_check_us: row.finiteCheck.withoutCheck.p50,
          p99_without_check_us: row.finiteCheck.withoutCheck.p99,
        },
      })),
      reference: { name: "preCICE 3.4.1, measured on this machine kind", ...PRECICE_REFERENCE },
      ...(floor === undefined
        ? {}
        : {
            floor:
              floorUs === undefined
                ? { skipped: floor.skipped }
                : {
                    name: "the nearest window's data movement in C, three processes, same run",
                    n: floorUs.n,
                    mean_us: floorUs.mean,
                    sd_us: floorUs.sd,
                    p50_us: floorUs.p50,
                    p99_us: floorUs.p99,
                    max_us: floorUs.max,
                  },
          }),
    },
    null,
    2,
  );
}

export function couplingBenchmarkTable(rows: CouplingRow[], floor?: FloorResult): string {
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
  lines.push(...rows.map(finiteCheckLine));
  if (floor !== undefined) lines.push(floorLine(rows, floor));
  return `${lines.join("\n")}\n`;
}

/** What the check for non-finite values costs a window: alone, and the window's p50 with it off, same invocation. */
function finiteCheckLine(row: CouplingRow): string {
  const cost = row.finiteCheck;
  const share = (100 * cost.perWindowUs) / row.distribution.p50;
  return `${row.operator}: the check for non-finite values (coupling.check_finite, on by default) takes ${formatMicroseconds(cost.perWindowUs)} µs per window over both carried fields, ${share.toFixed(1)}% of the window's p50 (${formatMicroseconds(row.distribution.p50)} µs); with it off, p50 ${formatMicroseconds(cost.withoutCheck.p50)} µs, p99 ${formatMicroseconds(cost.withoutCheck.p99)} µs in this run`;
}

/** The C floor beside the nearest row: how far conflux is from the data movement alone. */
function floorLine(rows: CouplingRow[], floor: FloorResult): string {
  if (floor.distribution === undefined) return `floor: not measured (${floor.skipped})`;
  const d = scaled(floor.distribution, 1e-3);
  const nearest = rows.find((row) => row.operator === "nearest");
  const ratio =
    nearest === undefined ? "" : `; conflux nearest p50 is ${(nearest.distribution.p50 / d.p50).toFixed(2)}× this`;
  return `floor (the nearest window's data movement in C: three processes, the same gathers and writes, signals on cache lines, no queue): p50 ${formatMicroseconds(d.p50)}, p99 ${formatMicroseconds(d.p99)} µs${ratio}`;
}
