// The human summary of a run record: used after `conflux run` and by `conflux inspect`.

import { alignColumns, formatMicroseconds as cell } from "../stats/table.ts";
import { type ConvergenceSummaryOptions, convergenceSummary } from "./convergence-summary.ts";
import type { EnclaveEnvironment } from "./enclave-environment.ts";
import { rankImbalanceSummary } from "./rank-imbalance.ts";
import { recordDigest } from "./record-integrity.ts";
import type { RunRecord } from "./run-record.ts";

/** How a component ended, as the summary says it: by itself, by a signal, stopped by the driver, or never launched. */
function exitText(exit: NonNullable<RunRecord["enclaves"][number]["exit"]>): string {
  if (exit.cause === "launch") return `not launched${exit.error === undefined ? "" : ` (${exit.error})`}`;
  const how = exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  return exit.cause === "stop" || exit.cause === "kill" ? `stopped by the driver (${how})` : how;
}

export function runSummary(record: RunRecord, directory: string, options: ConvergenceSummaryOptions = {}): string {
  const lines = [
    `run ${record.name} (${record.runId}): ${record.status}, ${record.iterations.completed}/${record.iterations.planned || "?"} ${record.time === undefined ? "iterations" : "windows"} in ${((record.finishedUnixMs - record.startedUnixMs) / 1000).toFixed(2)} s`,
  ];
  if (record.error !== undefined) lines.push(`error: ${record.error}`);
  lines.push(`composition: ${record.composition.file} (sha256 ${record.composition.sha256.slice(0, 16)})`);
  if (record.replayOf !== undefined) {
    const outcome = record.verification?.outcome ?? "not compared";
    lines.push(`replay of run ${record.replayOf.runId} (${record.replayOf.directory}): ${outcome}`);
  }
  lines.push("", "components:");
  for (const enclave of record.enclaves) {
    const exit = enclave.exit === undefined ? "" : `, ${exitText(enclave.exit)}`;
    const where =
      enclave.node !== undefined
        ? ` on ${enclave.node} (through its relay here)`
        : enclave.rankNodes !== undefined
          ? `, its ranks on ${enclave.rankNodes.join(", ")}`
          : "";
    lines.push(`  ${enclave.component}: ${enclave.kind} enclave${where}, pid ${enclave.pid}${exit}`);
    if (enclave.environment !== undefined) lines.push(`    ${environmentLine(enclave.environment)}`);
  }
  const driver = record.driver;
  lines.push(
    "",
    `driver: conflux ${driver.conflux.version}${driver.conflux.commit === undefined ? "" : ` (commit ${driver.conflux.commit.slice(0, 12)})`}, pid ${driver.pid}`,
    `  ${environmentLine(driver.environment)}`,
    `  host compiler: ${driver.hostCompiler ?? "none (no cc)"}${driver.threads === undefined ? "" : `; ${driver.threads} thread(s) for operators and acceleration`}`,
  );
  if (record.seeds.length > 0) {
    lines.push(
      `seeds: ${record.seeds.map((seed) => `${seed.component} ${seed.source}=${typeof seed.value === "string" ? seed.value : JSON.stringify(seed.value)}`).join(", ")}`,
    );
  }
  const roles = new Map<string, number>();
  for (const input of record.inputs) roles.set(input.role, (roles.get(input.role) ?? 0) + 1);
  const unreadable = record.inputs.filter((input) => input.sha256 === undefined);
  lines.push(
    `inputs: ${record.inputs.length} files hashed (${[...roles].map(([role, count]) => `${count} ${role}`).join(", ")})${unreadable.length > 0 ? `; unreadable: ${unreadable.map((input) => input.path).join(", ")}` : ""}`,
  );
  const bytes = record.fields.reduce((sum, field) => sum + field.bytes, 0);
  lines.push(`outputs: ${record.fields.length} fields, ${(bytes / 1024).toFixed(1)} KiB, each with its sha256`);
  const timing = record.timing;
  const parts = [
    ["startup", timing.startupMs],
    ["capture", timing.captureMs],
    ["loop", timing.loopMs],
    ["shutdown", timing.shutdownMs],
  ].filter((part): part is [string, number] => part[1] !== undefined);
  lines.push(
    `time: ${seconds(timing.wallMs)} wall${parts.length > 0 ? ` = ${parts.map(([name, ms]) => `${name} ${seconds(ms)}`).join(" + ")}` : ""}`,
  );
  lines.push(...convergenceSummary(record, options));
  lines.push(...rankImbalanceSummary(record.ranks));
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
  let digest = "";
  try {
    digest = ` (run.json sha256 ${recordDigest(directory)})`;
  } catch {
    // printed before the record exists on disk: nothing to add
  }
  lines.push("", `record: ${directory}${digest}`);
  return `${lines.join("\n")}\n`;
}

/** One line: runtime, C library, kernel, CPU and its floating-point features, libraries hashed. */
function environmentLine(environment: EnclaveEnvironment): string {
  const runtime = environment.runtime === undefined ? undefined : `node ${environment.runtime.versions.node}`;
  const libc =
    environment.libc.family === "none"
      ? "no C library seen"
      : `${environment.libc.family} ${environment.libc.version ?? ""}`.trim();
  const fp = environment.floatingPoint.cpuFeatures.filter((flag) => /^(fma|avx2|avx512f)$/.test(flag));
  const parts = [
    runtime,
    libc,
    `Linux ${environment.kernel.release}`,
    `${environment.cpu.model}${fp.length > 0 ? ` (${fp.join(" ")})` : ""}`,
    `${environment.libraries.length + (environment.executable === undefined ? 0 : 1)} loaded files hashed`,
    environment.software === undefined
      ? undefined
      : `${environment.software.kind} ${environment.software.name}${environment.software.imageDigest === undefined ? "" : ` (image ${environment.software.imageDigest})`}`,
    environment.error,
  ];
  return parts.filter((part) => part !== undefined).join(", ");
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
