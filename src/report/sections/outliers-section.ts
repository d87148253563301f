// Slow samples and what made them slow, as far as the record knows.
import { escapeHtml } from "../html-text.ts";
import type { ReportData } from "../report-data.ts";
import { absentNote, section } from "./absent-note.ts";

export function outliersSection(outliers: ReportData["outliers"]): string {
  if (!outliers.present) return section("outliers", "Outliers and their causes", absentNote(outliers.absent));
  const notes = outliers.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("");
  return section("outliers", "Outliers and their causes", `<ul>${notes}</ul>`);
}
