// The command-line start benchmark as a table or JSON: each case's wall time,
// its target, and the ratios that matter, built against the sources and against
// the floor, each from figures of this one run.
import { alignColumns } from "../stats/table.ts";
import type { CliStartBenchmark } from "./cli-start.ts";
import { machineLine } from "./machine-load.ts";

function p50Of(result: CliStartBenchmark, name: string): number | undefined {
  return result.rows.find((row) => row.case.name === name)?.distribution.p50;
}

function ratios(result: CliStartBenchmark): { name: string; value: number }[] {
  const floor = p50Of(result, "node -e '' (the floor)");
  const out: { name: string; value: number }[] = [];
  for (const command of ["conflux --help", "conflux validate"]) {
    const built = p50Of(result, command);
    const sources = p50Of(result, `${command}, from the sources`);
    if (built === undefined) continue;
    if (sources !== undefined) out.push({ name: `${command}: built / sources (p50)`, value: built / sources });
    if (floor !== undefined) out.push({ name: `${command}: built / floor (p50)`, value: built / floor });
  }
  return out;
}

export function cliStartJson(result: CliStartBenchmark): string {
  return JSON.stringify(
    {
      rounds: result.rounds,
      rows: result.rows.map((row) => ({
        case: row.case.name,
        n: row.distribution.n,
        mean_ms: row.distribution.mean,
        sd_ms: row.distribution.sd,
        p50_ms: row.distribution.p50,
        p99_ms: row.distribution.p99,
        max_ms: row.distribution.max,
        ...(row.case.target_ms === undefined ? {} : { target_ms: row.case.target_ms }),
      })),
      ratios: ratios(result),
      machine: result.machine,
    },
    null,
    2,
  );
}

export function cliStartTable(result: CliStartBenchmark): string {
  const ms = (value: number) => value.toFixed(0);
  const rows = [
    ["command", "n", "mean ± sd", "p50", "p99", "max", "target"],
    ...result.rows.map((row) => {
      const d = row.distribution;
      const target =
        row.case.target_ms === undefined
          ? ""
          : `< ${row.case.target_ms}${d.p50 < row.case.target_ms ? " (met)" : " (not met)"}`;
      return [row.case.name, String(d.n), `${ms(d.mean)} ± ${ms(d.sd)}`, ms(d.p50), ms(d.p99), ms(d.max), target];
    }),
  ];
  return [
    `Command start: wall time of each command, ms, ${result.rounds} interleaved rounds`,
    ...alignColumns(rows),
    "",
    ...ratios(result).map((ratio) => `${ratio.name}: ${ratio.value.toFixed(2)}`),
    machineLine(result.machine),
    "",
  ].join("\n");
}
