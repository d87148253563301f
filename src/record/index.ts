// record/ owns the run record: its format, what it captures of inputs and environments, its integrity, its summary.
// It must not run or replay anything: the runner writes records; repro/ verifies and exports them, cli/ inspects them.

// record/'s public surface, what "conflux-coupling/record" exports: reading a
// finished run's record, checking its files against their hashes, and its
// summary as `conflux inspect` prints it. The rest of record/ is the runner's.
export { type AlteredFile, alteredFiles } from "./record-integrity.ts";
export {
  type CompositionEntry,
  type DriverEntry,
  type EnclaveEntry,
  type FieldFile,
  type PhaseSummaryUs,
  RUN_RECORD_FILE,
  RUN_RECORD_FORMAT,
  RUN_RECORD_VERSION,
  type RunRecord,
  RunRecordError,
  readRunRecord,
  type TimeEntry,
  type TimingSummary,
  type WindowConvergenceEntry,
} from "./run-record.ts";
export { runSummary } from "./run-summary.ts";
