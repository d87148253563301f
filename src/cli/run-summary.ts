// The human summary of a run record: used after `conflux run` and by `conflux inspect`.
import { alignColumns, formatMicroseconds as cell } from "../bench/table.ts";
import type { RunRecord } from "../repro/run-record.ts";

export function runSummary(record: RunRecord, directory: string): string {
  const lines = [
    `run ${record.name} (${record.runId}): ${record.status}, ${record.iterations.completed}/${record.iterations.planned} iterations in ${((record.finishedUnixMs - record.startedUnixMs) / 1000).toFixed(2)} s`,
  ];
  if (record.error !== undefined) lines.push(`error: ${record.error}`);
  lines.push("", "components:");
  for (const enclave of record.enclaves as {
    component: string;
    kind: string;
    pid: number;
    exit?: { code: number | null; signal: string | null };
  }[]) {
    const exit =
      enclave.exit === undefined
        ? ""
        : enclave.exit.signal !== null
          ? `, killed by ${enclave.exit.signal}`
          : `, exit code ${enclave.exit.code}`;
    lines.push(`  ${enclave.component}: ${enclave.kind} enclave, pid ${enclave.pid}${exit}`);
  }
  const setup = Object.entries(record.setupMs);
  if (setup.length > 0) {
    lines.push("", "transfer setup:");
    for (const [label, ms] of setup) lines.push(`  ${label}: ${ms.toFixed(2)} ms`);
  }
  const phases = Object.entries(record.timings);
  if (phases.length > 0) {
    lines.push("", "timings (µs):");
    lines.push(
      ...alignColumns([
        ["  phase", "n", "mean ± sd", "p50", "p99", "max"],
        ...phases.map(([phase, t]) => [
          `  ${phase}`,
          String(t.n),
          `${cell(t.mean_us)} ± ${cell(t.sd_us)}`,
          cell(t.p50_us),
          cell(t.p99_us),
          cell(t.max_us),
        ]),
      ]),
    );
  }
  lines.push("", `record: ${directory}`);
  return `${lines.join("\n")}\n`;
}
