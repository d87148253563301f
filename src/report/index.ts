// report/ owns pages about a run: a finished run's static report (conflux report), built from parts — the page
// data of a record, HTML sections, the page shell, the chart script — that a live view can reuse.
// It reads records and draws; it never runs anything.
export { chartLibraryScript, pageScript } from "./chart-script.ts";
export { escapeHtml } from "./html-text.ts";
export { jsonScriptBlock, jsonScriptText } from "./json-script.ts";
export { type PageParts, pageShell } from "./page-shell.ts";
export { type RecordInput, readRecordInput } from "./record-input.ts";
export { type ReportData, reportData, type Section } from "./report-data.ts";
export { ReportError } from "./report-error.ts";
export { reportPage } from "./report-page.ts";
