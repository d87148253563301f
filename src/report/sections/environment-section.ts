// Where each process of the run ran: the driver and every component's enclave, with the facts the record holds.
import { escapeHtml } from "../html-text.ts";
import type { ReportData } from "../report-data.ts";
import { absentNote, section } from "./absent-note.ts";

export function environmentSection(environments: ReportData["environments"]): string {
  if (!environments.present) return section("environment", "Environment", absentNote(environments.absent));
  const cards = environments.processes.map((process) => {
    const rows = process.facts.map(
      ([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    );
    return `<article class="process"><h3>${escapeHtml(process.process)} <span class="kind">${escapeHtml(process.kind)}, pid ${process.pid}</span></h3>
<table class="facts">${rows.join("")}</table></article>`;
  });
  return section("environment", "Environment", cards.join("\n"));
}
