// What `conflux repro verify` prints: the replay's outcome per output — with,
// for a difference, how many values differ and the worst one — and, beside it,
// everything that differs in the environment, so a reader sees in one place
// what changed and what it changed.
import type { FieldComparison } from "../../record/run-record.ts";
import type { Verification } from "./run-verification.ts";

export function verificationReport(verification: Verification): string {
  const { record, directory } = verification;
  const lines = [`verifying run ${record.name} (${record.runId}) recorded in ${directory}`];
  if (verification.kind === "altered") {
    lines.push("the record has been altered since the run; its files do not match the hashes in run.json:");
    for (const file of verification.altered) lines.push(`  ${file.file} ${file.reason}`);
    lines.push("not replayed: a record that does not match its own hashes cannot be verified");
    return `${lines.join("\n")}\n`;
  }
  for (const note of verification.notes) lines.push(`note: ${note}`);
  const replay = verification.replay;
  lines.push(
    `replay ${replay.record.runId}: ${replay.record.status}, ${replay.record.iterations.completed}/${replay.record.iterations.planned} iterations; its record: ${replay.directory}`,
  );
  if (replay.failure !== undefined) lines.push(`the replay failed: ${replay.failure.message}`);
  if (verification.outputs.length > 0) {
    lines.push("", "outputs:");
    const width = Math.max(...verification.outputs.map((output) => output.name.length));
    const ruleWidth = Math.max(...verification.outputs.map((output) => output.rule.length));
    for (const output of verification.outputs) {
      lines.push(`  ${output.name.padEnd(width)}  ${output.rule.padEnd(ruleWidth)}  ${verdict(output)}`);
    }
  }
  const convergence = verification.convergence;
  if (convergence !== undefined) {
    lines.push("", "convergence:");
    lines.push(
      convergence.matches
        ? `  identical iterations in all ${convergence.windows} windows; ${convergence.residualsCompared} residuals within their tolerance`
        : `  DIFFERS: ${convergence.differingWindows} of ${convergence.windows} windows took other iterations, ${convergence.residualsDiffering} of ${convergence.residualsCompared} residuals beyond their tolerance`,
    );
    for (const problem of convergence.problems) lines.push(`  ${problem}`);
  }
  lines.push("", "environment differences:");
  if (verification.environmentDifferences.length === 0) {
    lines.push("  none: kernel, CPU, libraries, compilers, runtimes, settings, seeds and inputs are as recorded");
  } else {
    for (const difference of verification.environmentDifferences) lines.push(`  ${difference}`);
  }
  lines.push("", conclusion(verification));
  return `${lines.join("\n")}\n`;
}

function verdict(output: FieldComparison): string {
  if (output.problem !== undefined) return `DIFFERS: ${output.problem}`;
  if (output.identical) return "identical";
  const worst = output.largest;
  const detail =
    worst === undefined
      ? ""
      : `; largest at point ${worst.index}: recorded ${worst.recorded}, replay ${worst.replayed} (absolute ${worst.absolute.toExponential(2)}, relative ${worst.relative.toExponential(2)}, ${worst.ulps} ulps)`;
  if (output.matches)
    return `within tolerance: ${output.changed} of ${output.values} values not bitwise identical${detail}`;
  const beyond = output.rule === "bitwise" ? "differ" : `are beyond ${output.rule}`;
  return `DIFFERS: ${output.differing} of ${output.values} values ${beyond}${detail}`;
}

function conclusion(verification: Extract<Verification, { kind: "replayed" }>): string {
  if (verification.outcome === "failed") return "result: NOT REPRODUCED — the replay did not complete";
  const differing = verification.outputs.filter((output) => !output.matches);
  if (verification.convergence !== undefined && !verification.convergence.matches) {
    return `result: NOT REPRODUCED — the convergence history differs${differing.length > 0 ? `, and ${differing.length} of ${verification.outputs.length} outputs` : ""}`;
  }
  if (differing.length > 0) {
    return `result: NOT REPRODUCED — ${differing.length} of ${verification.outputs.length} outputs differ: ${differing.map((output) => output.name).join(", ")}`;
  }
  const changed = verification.changedInputs;
  if (changed.length > 0) {
    return `result: NOT REPRODUCED — the outputs match, but ${changed.length} of the run's input files changed, so the replay ran other code or data: ${changed.join(", ")}`;
  }
  const identical = verification.outputs.filter((output) => output.identical).length;
  const within = verification.outputs.length - identical;
  return `result: reproduced — ${identical} of ${verification.outputs.length} outputs bitwise identical${within > 0 ? `, ${within} within their tolerance` : ""}`;
}
