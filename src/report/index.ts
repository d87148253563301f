// report/ owns pages about a run: the static report (conflux report), from parts a live view can reuse: data, sections, shell, charts.
// It must not run anything nor change a record: it reads a finished record and draws it.
export { chartLibraryScript, pageScript } from "./chart-script.ts";
export { escapeHtml } from "./html-text.ts";
export { jsonScriptBlock, jsonScriptText } from "./json-script.ts";
export { type PageParts, pageShell } from "./page-shell.ts";
export { type RecordInput, readRecordInput } from "./record-input.ts";
export { type ReportData, reportData, type Section } from "./report-data.ts";
export { ReportError } from "./report-error.ts";
export { reportPage } from "./report-page.ts";
