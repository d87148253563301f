// Runs a composition and leaves its record: validate the file (refusing an
// invalid one before anything starts), drive the coupling, and write run.json
// plus every field — on success and on failure alike.
import { resolve } from "node:path";
import { couplingPlan } from "../compose/coupling-plan.ts";
import { loadComposition } from "../compose/load.ts";
import type { OperatorSpec } from "../compose/schema.ts";
import { CouplingFailure } from "../coupling/coupling-failure.ts";
import { type CouplingResult, type PartialResult, runCoupling } from "../coupling/driver.ts";
import type { PhaseTimings } from "../coupling/phase-timings.ts";
import type { OutputSink } from "../enclave/output-capture.ts";
import { createOperator } from "../mapping/create-operator.ts";
import {
  copyComposition,
  createRecordDirectory,
  type FieldFile,
  phaseSummaries,
  RUN_RECORD_FORMAT,
  RUN_RECORD_VERSION,
  type RunRecord,
  saveFields,
  writeRunRecord,
} from "./run-record.ts";

export interface RunOptions {
  iterations?: number;
  /** Overrides the composition's results directory. */
  resultsDirectory?: string;
  onIteration?: (completed: number, planned: number) => void;
  output?: OutputSink | null;
  pings?: number;
}

export interface RunOutcome {
  directory: string;
  record: RunRecord;
  result?: CouplingResult;
  failure?: Error;
}

export async function runComposition(path: string, options: RunOptions = {}): Promise<RunOutcome> {
  const composition = loadComposition(path);
  const plan = couplingPlan(composition, options.iterations === undefined ? {} : { iterations: options.iterations });
  const resultsDirectory = options.resultsDirectory ?? resolve(composition.results.directory);
  const startedUnixMs = Date.now();
  let directory: string | undefined;
  let fields: FieldFile[] = [];
  let enclaves: unknown[] = [];
  const recordDirectory = (runId: string) => {
    directory ??= createRecordDirectory(resultsDirectory, composition.name, runId);
    return directory;
  };
  let runId = "";
  let result: CouplingResult | undefined;
  let failure: Error | undefined;
  let timings: PhaseTimings | undefined;
  let setupMs: Record<string, number> = {};
  let completed = 0;
  try {
    result = await runCoupling<OperatorSpec>(plan, {
      buildOperator: (source, target, spec) => createOperator(source, target, spec),
      ...(options.onIteration === undefined
        ? {}
        : { onIteration: (done: number) => options.onIteration?.(done, plan.iterations) }),
      ...(options.output === undefined ? {} : { output: options.output }),
      ...(options.pings === undefined ? {} : { pings: options.pings }),
      collect: (meshes, iterations, id) => {
        runId = id;
        completed = iterations;
        fields = saveFields(recordDirectory(id), meshes);
      },
    });
    runId = result.runId;
    completed = result.iterationsCompleted;
    timings = result.timings;
    setupMs = result.setupMs;
    enclaves = result.enclaves;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    const partial = (error as { partial?: PartialResult }).partial;
    if (partial !== undefined) {
      timings = partial.timings;
      setupMs = partial.setupMs;
      runId ||= partial.runId;
    }
  }
  const finalDirectory = recordDirectory(runId || "00000000");
  const record: RunRecord = {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    name: composition.name,
    runId,
    status: failure === undefined ? "completed" : /^interrupted/.test(failure.message) ? "interrupted" : "failed",
    ...(failure === undefined ? {} : { error: failure.message }),
    composition: copyComposition(finalDirectory, composition.source),
    commandLine: process.argv,
    startedUnixMs,
    finishedUnixMs: Date.now(),
    iterations: { planned: plan.iterations, completed },
    enclaves,
    setupMs,
    timings: timings === undefined ? {} : phaseSummaries(timings.summaries()),
    fields,
  };
  writeRunRecord(finalDirectory, record);
  return {
    directory: finalDirectory,
    record,
    ...(result === undefined ? {} : { result }),
    ...(failure === undefined ? {} : { failure }),
  };
}

export function isCouplingFailure(error: unknown): error is CouplingFailure {
  return error instanceof CouplingFailure;
}
