// A finished run's record as the report reads it: run.json, and the composition copy beside it for the drawing.
// A missing or damaged file ends the report with a message naming it; a copy that no longer parses as a
// composition (written by an older conflux) only costs the drawing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CompositionDocument, CompositionError, parseComposition } from "../compose/index.ts";
import { RUN_RECORD_FILE, type RunRecord, RunRecordError, readRunRecord } from "../record/run-record.ts";
import { ReportError } from "./report-error.ts";

export interface RecordInput {
  record: RunRecord;
  /** The composition as it ran, or why it cannot be drawn. */
  composition: { present: true; document: CompositionDocument } | { present: false; absent: string };
}

export function readRecordInput(directory: string): RecordInput {
  let record: RunRecord;
  try {
    record = readRunRecord(directory);
  } catch (error) {
    if (error instanceof RunRecordError) throw new ReportError(error.message);
    throw error;
  }
  const file = join(directory, RUN_RECORD_FILE);
  const entry = record.composition;
  if (entry === null || typeof entry !== "object" || typeof entry.copy !== "string") {
    throw new ReportError(
      `${file} has no composition entry; the record is damaged: run the composition again for a complete record`,
    );
  }
  const copy = join(directory, entry.copy);
  let text: string;
  try {
    text = readFileSync(copy, "utf8");
  } catch {
    throw new ReportError(
      `${copy} is missing: the record names it as the copy of its composition; restore it from a copy of the record, or run the composition again`,
    );
  }
  try {
    // Drawn, not run: the programs it names need not exist any more.
    const document = parseComposition(text, entry.file, { checkFiles: false });
    return { record, composition: { present: true, document } };
  } catch (error) {
    if (!(error instanceof CompositionError)) throw error;
    const reason = error.message.split("\n")[0] ?? "";
    return {
      record,
      composition: {
        present: false,
        absent: `the composition copy ${entry.copy} does not parse as this conflux reads compositions (${reason}), so it is not drawn`,
      },
    };
  }
}
