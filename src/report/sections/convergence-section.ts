// A run in time: iterations per window and every measured field's residuals, drawn by the chart script, and the
// windows that did not converge in words.
import { escapeHtml } from "../html-text.ts";
import type { ReportData } from "../report-data.ts";
import { absentNote, section } from "./absent-note.ts";

export function convergenceSection(convergence: ReportData["convergence"]): string {
  if (!convergence.present) return section("convergence", "Convergence", absentNote(convergence.absent));
  const windows = convergence.windows;
  const iterations = windows.reduce((sum, window) => sum + window.iterations, 0);
  const unconverged = windows.filter((window) => !window.converged).map((window) => window.window);
  const acceleration = [...new Set(windows.map((window) => window.acceleration))].join(", ");
  const summary = `${convergence.scheme}, acceleration ${acceleration}: ${windows.length} windows, ${iterations} iterations; ${
    unconverged.length === 0 ? "every window converged" : `windows ${unconverged.join(", ")} did not converge`
  }`;
  return section(
    "convergence",
    "Convergence",
    `<p class="summary">${escapeHtml(summary)}</p>
<div class="chart"><canvas data-chart="window-iterations" aria-label="iterations per window"></canvas></div>
<div class="chart tall"><canvas data-chart="residuals" aria-label="relative residual per iteration"></canvas></div>`,
  );
}
