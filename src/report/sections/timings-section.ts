// Every timed phase: its summary in words and a canvas the chart script draws its histogram into (by index into
// the page data's phases), or the note that the record holds no histogram.
import { formatMicroseconds as us } from "../../stats/table.ts";
import { escapeHtml } from "../html-text.ts";
import type { ReportData } from "../report-data.ts";
import { absentNote, section } from "./absent-note.ts";

export function timingsSection(timings: ReportData["timings"]): string {
  if (!timings.present) return section("timings", "Timings per phase", absentNote(timings.absent));
  const stages = timings.stages
    .map(({ stage, ms }) => `<tr><th>${escapeHtml(stage)}</th><td>${ms.toFixed(1)} ms</td></tr>`)
    .join("");
  const phases = timings.phases.map((phase, index) => {
    const summary = `n ${phase.n} · mean ${us(phase.mean_us)} ± ${us(phase.sd_us)} µs · p50 ${us(phase.p50_us)} µs · p99 ${us(phase.p99_us)} µs · max ${us(phase.max_us)} µs`;
    const chart = phase.histogram.present
      ? `<div class="chart"><canvas data-chart="phase-histogram" data-phase="${index}" aria-label="histogram of ${escapeHtml(phase.phase)}"></canvas></div>`
      : absentNote(phase.histogram.absent);
    return `<article class="phase"><h3>${escapeHtml(phase.phase)}</h3><p class="summary">${escapeHtml(summary)}</p>${chart}</article>`;
  });
  const stageTable = stages === "" ? "" : `<table class="facts stages">${stages}</table>`;
  return section("timings", "Timings per phase", `${stageTable}<div class="phases">${phases.join("\n")}</div>`);
}
