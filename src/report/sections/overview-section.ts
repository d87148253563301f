// The page's head: which run, how it ended, when, and from which composition.
import { escapeHtml } from "../html-text.ts";
import type { RunOverview } from "../report-data.ts";

export function overviewSection(overview: RunOverview): string {
  const seconds = ((overview.finishedUnixMs - overview.startedUnixMs) / 1000).toFixed(2);
  const planned = overview.planned > 0 ? String(overview.planned) : "?";
  const rows: [string, string][] = [
    ["status", overview.status],
    ["progress", `${overview.completed} of ${planned} ${overview.unit} in ${seconds} s`],
    ["started", new Date(overview.startedUnixMs).toISOString()],
    ["composition", overview.compositionFile],
    ["command line", overview.commandLine.join(" ")],
  ];
  if (overview.replay !== undefined) rows.push(["replay of", `${overview.replay.runId}: ${overview.replay.outcome}`]);
  const error = overview.error === undefined ? "" : `<p class="error">${escapeHtml(overview.error)}</p>`;
  const table = rows.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
  return `<header><h1>Run ${escapeHtml(overview.name)} <span class="run-id">${escapeHtml(overview.runId)}</span></h1>
<p class="status status-${escapeHtml(overview.status)}">${escapeHtml(overview.status)}</p>
${error}<table class="facts">${table.join("")}</table></header>`;
}
