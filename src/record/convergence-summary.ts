// The lines `conflux inspect` (and the summary after `conflux run`) prints for
// a run in time: the scheme, iterations per window, which windows did not
// converge, the last window's last residuals, and for inspect the residual
// history of the windows asked for.
import { type ResidualWindows, residualHistory } from "./residual-history.ts";
import type { RunRecord, WindowConvergenceEntry } from "./run-record.ts";

export interface ConvergenceSummaryOptions {
  /** Add the residual history of these windows (inspect; after a run the summary stays short). */
  history?: { windows: ResidualWindows };
}

/** Runs of equal counts shortened: "14 ×3, 6, 3 ×6". */
function compact(counts: readonly number[]): string {
  const parts: string[] = [];
  for (let index = 0; index < counts.length; ) {
    let end = index + 1;
    while (end < counts.length && counts[end] === counts[index]) end++;
    parts.push(end - index > 2 ? `${counts[index]} ×${end - index}` : counts.slice(index, end).join(", "));
    index = end;
  }
  return parts.join(", ");
}

export function convergenceSummary(record: RunRecord, options: ConvergenceSummaryOptions = {}): string[] {
  const time = record.time;
  const windows = record.convergence;
  if (time === undefined || windows === undefined) return [];
  const total = windows.reduce((sum, window) => sum + window.iterations, 0);
  const stalled = windows.filter((window) => !window.converged).map((window) => window.window);
  const acceleration = windows[0]?.acceleration ?? "none";
  const span =
    time.maxTime !== undefined ? `to t = ${time.maxTime}` : `${time.windows ?? windows.length} windows planned`;
  const lines = [
    "",
    `convergence: ${time.scheme}, windows of ${time.window} ${span}, acceleration ${acceleration}: ${windows.length} windows, ${total} iterations, ${stalled.length === 0 ? "every window converged" : `${stalled.length} not converged (windows ${stalled.join(", ")})`}`,
    `  iterations per window: ${compact(windows.map((window) => window.iterations))}`,
  ];
  const last = windows[windows.length - 1] as WindowConvergenceEntry | undefined;
  if (last !== undefined) {
    const residuals = Object.entries(last.residuals).map(([field, history]) => {
      const final = history[history.length - 1];
      return final === undefined
        ? `${field} —`
        : `${field} ${final.absolute.toExponential(2)} (relative ${final.relative.toExponential(2)})`;
    });
    if (residuals.length > 0) lines.push(`  last residuals (window ${last.window}): ${residuals.join("; ")}`);
  }
  if (options.history !== undefined) lines.push(...residualHistory(windows, options.history.windows));
  return lines;
}
