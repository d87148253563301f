// report/ owns pages about a run: the static report (conflux report), from parts a live view can reuse: data, sections, shell, charts.
// It must not run anything nor change a record: it reads a finished record and draws it.
export { browserScript, chartLibraryScript, pageScript } from "./chart-script.ts";
export { type DrawnRecord, drawnRecord } from "./drawn-record.ts";
export { escapeHtml } from "./html-text.ts";
export { jsonScriptBlock, jsonScriptText } from "./json-script.ts";
export { type PageParts, pageShell } from "./page-shell.ts";
export { type RecordInput, readRecordInput } from "./record-input.ts";
export { type ReportData, type ReportRecord, reportData, type Section } from "./report-data.ts";
export { ReportError } from "./report-error.ts";
export { reportPage } from "./report-page.ts";
export { type CompositionDrawing, compositionSection } from "./sections/composition-section.ts";
export { convergenceSection } from "./sections/convergence-section.ts";
export { environmentSection } from "./sections/environment-section.ts";
export { outliersSection } from "./sections/outliers-section.ts";
export { overviewSection } from "./sections/overview-section.ts";
export { timingsSection } from "./sections/timings-section.ts";
