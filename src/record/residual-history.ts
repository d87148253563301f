// The residual history `conflux inspect` prints for a run in time: one line per
// window and measured field, its relative residual ‖Δ‖/‖x̃‖ at every iteration
// and how the window ended. A run of many windows, or a window of many
// iterations, would bury the summary, so by default the first and last few of
// each are shown and the rest counted; windows the user lists are shown whole,
// since asking for them means wanting their detail.
import type { WindowConvergenceEntry } from "./run-record.ts";

/** Which windows to print: undefined for the overview, "all", or the windows listed (shown whole). */
export type ResidualWindows = undefined | "all" | readonly number[];

/** Up to this many windows the overview shows every one; past it, the first and last EDGE_WINDOWS. */
const OVERVIEW_WINDOWS = 12;
const EDGE_WINDOWS = 5;
/** Up to this many iterations the overview shows every residual; past it, the first 6 and the last 5. */
const OVERVIEW_ITERATIONS = 12;
const FIRST_ITERATIONS = 6;
const LAST_ITERATIONS = 5;

function residualText(value: number): string {
  return value === 0 ? "0" : value.toExponential(1);
}

function historyText(relatives: readonly number[], whole: boolean): string {
  if (whole || relatives.length <= OVERVIEW_ITERATIONS) return relatives.map(residualText).join(" ");
  const hidden = relatives.length - FIRST_ITERATIONS - LAST_ITERATIONS;
  return [
    ...relatives.slice(0, FIRST_ITERATIONS).map(residualText),
    `… ${hidden} more …`,
    ...relatives.slice(relatives.length - LAST_ITERATIONS).map(residualText),
  ].join(" ");
}

function outcomeText(window: WindowConvergenceEntry): string {
  return window.converged ? `converged in ${window.iterations}` : `not converged after ${window.iterations}`;
}

/** The windows of `windows` to print, in order. */
function chosen(windows: readonly WindowConvergenceEntry[], choice: ResidualWindows): WindowConvergenceEntry[] {
  if (choice === "all") return [...windows];
  if (choice !== undefined) {
    const wanted = new Set(choice);
    return windows.filter((window) => wanted.has(window.window));
  }
  if (windows.length <= OVERVIEW_WINDOWS) return [...windows];
  return [...windows.slice(0, EDGE_WINDOWS), ...windows.slice(windows.length - EDGE_WINDOWS)];
}

function heading(windows: readonly WindowConvergenceEntry[], shown: number, choice: ResidualWindows): string {
  const what = "residual history (relative ‖Δ‖/‖x̃‖ per iteration)";
  if (choice !== undefined || shown === windows.length) return `  ${what}:`;
  const first = windows[0]?.window ?? 0;
  const last = windows[windows.length - 1]?.window ?? 0;
  return `  ${what}, windows ${first} to ${first + EDGE_WINDOWS - 1} and ${last - EDGE_WINDOWS + 1} to ${last} of ${windows.length} (--windows all, or a list such as ${first + EDGE_WINDOWS}-${last - EDGE_WINDOWS}, for the rest):`;
}

export function residualHistory(windows: readonly WindowConvergenceEntry[], choice: ResidualWindows): string[] {
  if (!windows.some((window) => Object.keys(window.residuals).length > 0)) return [];
  const shown = chosen(windows, choice);
  const whole = choice !== undefined;
  const windowWidth = String(Math.max(0, ...shown.map((window) => window.window))).length;
  const labelWidth = Math.max(
    0,
    ...shown.flatMap((window) => Object.keys(window.residuals).map((label) => label.length)),
  );
  const lines = [heading(windows, shown.length, choice)];
  shown.forEach((window, index) => {
    const previous = shown[index - 1];
    if (previous !== undefined && window.window - previous.window > 1 && choice === undefined) {
      lines.push(`    … ${window.window - previous.window - 1} windows …`);
    }
    for (const [label, history] of Object.entries(window.residuals)) {
      const relatives = history.map((residual) => residual.relative);
      lines.push(
        `    window ${String(window.window).padStart(windowWidth)}, ${`${label}:`.padEnd(labelWidth + 1)} ${historyText(relatives, whole)} (${outcomeText(window)})`,
      );
    }
  });
  return lines;
}
