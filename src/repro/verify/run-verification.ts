// `conflux repro verify`: replay a recorded run and say whether it reproduces.
// The record's own files are checked against their hashes first (a record
// that was altered is not replayed). The replay runs the record's copy of the
// composition, read as if it still were at its original path, so module and
// program paths resolve exactly as they did; it runs the recorded number of
// iterations and writes its own record beside the original, with the
// comparison in it. Every field is compared: bitwise unless the composition
// declares a tolerance for it under results.outputs. A run in time's
// convergence history is compared too: iterations per window exactly,
// residuals within the field's tolerance (convergence-comparison.ts).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseComposition } from "../../compose/load.ts";
import type { Tolerance } from "../../compose/schema.ts";
import type { OutputSink } from "../../enclave/output-capture.ts";
import { type AlteredFile, alteredFiles, recordDigest } from "../../record/record-integrity.ts";
import {
  type ConvergenceComparison,
  type FieldComparison,
  type RunRecord,
  readRunRecord,
  resultsDirectoryOf,
  sha256,
  writeRunRecord,
} from "../../record/run-record.ts";
import { type RunOutcome, runComposition } from "../../runner/run-composition.ts";
import { compareConvergence } from "./convergence-comparison.ts";
import { environmentDifferences } from "./environment-difference.ts";
import { compareField, toleranceRule } from "./output-comparison.ts";

export interface VerifyOptions {
  /** Where the replay's record goes (default: beside the original, in the same results directory). */
  resultsDirectory?: string;
  /**
   * Replay from a bundle (conflux repro verify app.cfx): its unpacked composition, the same bytes as the
   * record's, runs instead of the record's original path, and `carried` holds the sha256 of every file the
   * bundle carries. Inputs are then compared by content, not path (the bundle put them elsewhere); an input the
   * bundle does not carry (a program of the host or the stack) is the host's, and a different one is a note.
   */
  bundle?: { composition: string; carried: ReadonlySet<string> };
  onIteration?: (completed: number, planned: number) => void;
  output?: OutputSink | null;
}

export type Verification =
  | { kind: "altered"; directory: string; record: RunRecord; altered: AlteredFile[] }
  | {
      kind: "replayed";
      directory: string;
      record: RunRecord;
      /** Things about the replay's setting a reader should know (the composition moved or changed). */
      notes: string[];
      replay: RunOutcome;
      outcome: "reproduced" | "differs" | "failed";
      outputs: FieldComparison[];
      /** Runs in time: the iterations per window and the residual histories. */
      convergence?: ConvergenceComparison;
      /** The run's input files (sources, programs, clients, data) the replay read other bytes of, or did not read. */
      changedInputs: string[];
      environmentDifferences: string[];
    };

/** A record that exists but cannot be verified (a run that did not complete): bad input, exit 2. */
export class NotVerifiableError extends Error {
  override name = "NotVerifiableError";
}

export async function verifyRun(directory: string, options: VerifyOptions = {}): Promise<Verification> {
  const record = readRunRecord(directory);
  if (record.status !== "completed") {
    throw new NotVerifiableError(
      `run ${record.runId} in ${directory} ${record.status === "failed" ? "failed" : "was interrupted"} after ${record.iterations.completed} of ${record.iterations.planned} iterations; only a completed run can be verified`,
    );
  }
  const altered = alteredFiles(directory, record);
  if (altered.length > 0) return { kind: "altered", directory, record, altered };

  const bytes = readFileSync(join(directory, record.composition.copy));
  const notes: string[] = [];
  const bundle = options.bundle;
  const original = bundle?.composition ?? record.composition.file;
  if (bundle !== undefined) {
    if (sha256(readFileSync(bundle.composition)) !== record.composition.sha256) {
      throw new NotVerifiableError(
        `the bundle's composition is not the one run ${record.runId} ran (sha256 ${record.composition.sha256.slice(0, 12)}); pack the record with its own composition`,
      );
    }
    notes.push(`replaying from the bundle: ${bundle.composition}, with the files it carries`);
  } else if (!existsSync(original)) {
    notes.push(
      `the composition file ${original} is gone; replaying the record's copy, with relative paths resolved from its directory as the original run did`,
    );
  } else if (sha256(readFileSync(original)) !== record.composition.sha256) {
    notes.push(
      `the composition file ${original} has changed since the run; replaying the record's copy, as recorded (with relative paths resolved from its directory)`,
    );
  }
  const replay = await runComposition(original, {
    compositionBytes: bytes,
    // An iteration run replays its recorded iterations (a --iterations override included); a run in time its windows.
    ...(record.time === undefined ? { iterations: record.iterations.planned } : {}),
    // From a bundle, where a run of it writes (its record's own directory is inside the unpacked bundle).
    ...(options.resultsDirectory !== undefined
      ? { resultsDirectory: options.resultsDirectory }
      : bundle === undefined
        ? { resultsDirectory: resultsDirectoryOf(directory) }
        : {}),
    replayOf: { runId: record.runId, directory: resolve(directory), recordSha256: recordDigest(directory) },
    ...(options.onIteration === undefined ? {} : { onIteration: options.onIteration }),
    ...(options.output === undefined ? {} : { output: options.output }),
  });
  const tolerances = declaredTolerances(bytes, original);
  const outputs =
    replay.failure === undefined
      ? record.fields.map((field) => {
          const replayed = replay.record.fields.find((candidate) => candidate.name === field.name);
          const tolerance = tolerances.get(field.name);
          if (replayed === undefined) {
            const missing: FieldComparison = {
              name: field.name,
              rule: toleranceRule(tolerance),
              matches: false,
              identical: false,
              values: field.values,
              differing: field.values,
              changed: field.values,
              problem: "the replay did not produce it",
            };
            return missing;
          }
          return compareField(
            field.name,
            readDoubles(join(directory, field.file)),
            readDoubles(join(replay.directory, replayed.file)),
            tolerance,
          );
        })
      : [];
  const convergence =
    replay.failure === undefined && record.convergence !== undefined
      ? compareConvergence(record.convergence, replay.record.convergence ?? [], tolerances)
      : undefined;
  // Other code or data is not a reproduction, whatever it computes.
  const replayed = new Map(replay.record.inputs.map((input) => [input.path, input.sha256]));
  const changedInputs =
    bundle === undefined
      ? record.inputs
          .filter((input) => input.role !== "composition" && replayed.get(input.path) !== input.sha256)
          .map((input) => input.path)
      : changedInBundle(record, replay.record, bundle.carried, notes);
  const outcome =
    replay.failure !== undefined
      ? "failed"
      : outputs.every((output) => output.matches) && changedInputs.length === 0 && (convergence?.matches ?? true)
        ? "reproduced"
        : "differs";
  const differences = environmentDifferences(record, replay.record);
  replay.record.verification = {
    outcome,
    outputs,
    ...(convergence === undefined ? {} : { convergence }),
    environmentDifferences: differences,
  };
  writeRunRecord(replay.directory, replay.record);
  return {
    kind: "replayed",
    directory,
    record,
    notes,
    replay,
    outcome,
    outputs,
    ...(convergence === undefined ? {} : { convergence }),
    changedInputs,
    environmentDifferences: differences,
  };
}

/**
 * The recorded inputs a replay from a bundle did not read the same bytes of: one the bundle should carry (a
 * component's file, a client) that it carries other bytes of, or that the replay did not read. Programs the
 * bundle does not carry are the host's or the stack's: a different one is said in `notes`, as the environment.
 */
function changedInBundle(
  record: RunRecord,
  replay: RunRecord,
  carried: ReadonlySet<string>,
  notes: string[],
): string[] {
  const read = new Set(replay.inputs.map((input) => input.sha256));
  const changed: string[] = [];
  for (const input of record.inputs) {
    if (input.role === "composition" || input.sha256 === undefined || read.has(input.sha256)) continue;
    if (input.role === "program" && !carried.has(input.sha256)) {
      notes.push(`${input.path} (a program ${input.component ?? ""} ran from the host or its stack) is another here`);
      continue;
    }
    changed.push(input.path);
  }
  return changed;
}

/** results.outputs of the recorded composition: field → tolerance. */
function declaredTolerances(bytes: Uint8Array, path: string): Map<string, Tolerance | undefined> {
  const composition = parseComposition(Buffer.from(bytes).toString("utf8"), path);
  return new Map(composition.results.outputs.map((output) => [output.field, output.tolerance]));
}

/** A field file as doubles, copied into an aligned buffer (a file read may sit at any byte offset). */
function readDoubles(file: string): Float64Array {
  const bytes = readFileSync(file);
  const values = new Float64Array(Math.floor(bytes.byteLength / 8));
  new Uint8Array(values.buffer).set(bytes.subarray(0, values.byteLength));
  return values;
}
