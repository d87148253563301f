// The record every `conflux run` leaves: what ran (the composition and its
// hash, the command line, every input file with its hash), where it ran (for
// the driver and every enclave: kernel, CPU, the libraries actually loaded
// with their hashes, compilers, runtimes, environment with secrets redacted,
// random seeds, floating-point settings), how it went (status, iterations,
// the error if any, timings) and what it produced (every field of every mesh,
// with its SHA-256). Written on success and on failure, so results produced
// before a failure stay readable. Format: docs/run-record.md.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { ExitStatus } from "../enclave/enclave.ts";
import type { EnclaveDescription } from "../enclave/environment-description.ts";
import type { ResourceUsage } from "../enclave/resources/resource-limits.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import type { Distribution } from "../stats/distribution.ts";
import { histogram } from "../stats/histogram.ts";
import type { MicrosecondSummary } from "../stats/microsecond-summary.ts";
import type { LinkCounters } from "../wire/link-counters.ts";
import type { InputFile } from "./composition-inputs.ts";
import type { EnclaveEnvironment } from "./enclave-environment.ts";
import type { RandomSeed } from "./random-seeds.ts";
/** One value of a replayed field beside the recorded one. */
import type { RankImbalance } from "./rank-imbalance.ts";
import type { ConfluxVersion } from "./software-versions.ts";

export interface ValueDifference {
  index: number;
  recorded: number;
  replayed: number;
  absolute: number;
  relative: number;
  ulps: number;
}

/** How one output field of a replay compares with the recorded one (`verification.outputs`). */
export interface FieldComparison {
  name: string;
  /** "bitwise", or the declared tolerance: "absolute 1e-9", "relative 1e-12", "ulps 4". */
  rule: string;
  /** Whether the replay matches under the rule. */
  matches: boolean;
  /** Whether the bytes are identical. */
  identical: boolean;
  values: number;
  /** How many values break the rule (for bitwise: how many differ at all). */
  differing: number;
  /** How many values are not bitwise identical, within the rule or not. */
  changed: number;
  /** The value that breaks the rule most (under the rule's own measure), or the largest difference within it. */
  largest?: ValueDifference;
  /** Why the values could not be compared one by one (a missing field, a different length). */
  problem?: string;
}

export const RUN_RECORD_FORMAT = "conflux-run";
export const RUN_RECORD_VERSION = 2;
export const RUN_RECORD_FILE = "run.json";

export interface FieldFile {
  /** component.mesh.field, or component.mesh.coordinates */
  name: string;
  file: string;
  values: number;
  bytes: number;
  sha256: string;
}

export type PhaseSummaryUs = MicrosecondSummary;

/** A phase's samples binned: how its timings spread, for the report's histograms (docs/run-record.md). */
export interface PhaseHistogramUs {
  /** Bin edges in microseconds, ascending, logarithmically spaced; one more than counts. */
  edges_us: number[];
  counts: number[];
}

export interface CompositionEntry {
  /** The absolute path the composition was run from; relative paths in it were resolved from its directory. */
  file: string;
  sha256: string;
  bytes: number;
  /** The name of the byte-exact copy in the record directory. */
  copy: string;
}

export interface EnclaveEntry {
  component: string;
  kind: string;
  pid: number;
  /** The enclave's own description (runtime, kernel, CPU, command line, environment with secrets redacted). */
  description: EnclaveDescription;
  /** What the running component was seen to run on; absent when the run failed before every component connected. */
  environment?: EnclaveEnvironment;
  exit?: ExitStatus;
  /**
   * The node it ran on, when not the driver's (docs/cluster.md). `kind`, `pid`, `description` and `environment`
   * are then those of its relay on the driver's node; the component itself ran in the composition's enclave there.
   */
  node?: string;
  /** A component of many ranks not all on the driver's node: each rank's node, in rank order. */
  rankNodes?: string[];
  /** A component of one rank on another node: the segment bytes its relay moved each way, and the records it passed. */
  link?: LinkCounters;
  /**
   * What the enclave's cgroup saw (docs/run-record.md, "resources"): peak memory, CPU time, and its limits.
   * Absent for a thread, on a host without usable cgroups, and in older records.
   */
  resources?: ResourceUsage;
  /** A component of many ranks: each rank's, in rank order (null where one had none). */
  rankResources?: (ResourceUsage | null)[];
}

export interface DriverEntry {
  pid: number;
  host: { hostname: string; account?: string };
  conflux: ConfluxVersion;
  /** The first line of the host's `cc --version`: the compiler of the native addon and of locally built components. */
  hostCompiler: string | null;
  /** Threads the driver's operators (and acceleration) could use: coupling.threads. Absent in older records. */
  threads?: number;
  /** The driver computes every transfer, so its environment matters as much as a component's. */
  environment: EnclaveEnvironment;
  /** The driver's environment variables, secrets redacted (components inherit them). */
  env: Record<string, string>;
}

export interface TimingSummary {
  /** From the start of `conflux run` to the record being written. */
  wallMs: number;
  /** Launching the components until every one has connected and its meshes are checked. */
  startupMs?: number;
  /** Capturing the environments (reading maps, hashing libraries), while components wait. */
  captureMs?: number;
  /** The coupling loop, until the fields are saved. */
  loopMs?: number;
  /** Saving fields, stopping the components and writing the record. */
  shutdownMs?: number;
}

/** In a verification's own record: which run it replayed. */
export interface ReplayOf {
  runId: string;
  directory: string;
  /** SHA-256 of the original run.json when it was replayed. */
  recordSha256: string;
}

/** How a replay's convergence history compares with the recorded one (runs in time). */
export interface ConvergenceComparison {
  matches: boolean;
  windows: number;
  /** Windows whose iterations (or convergence) differ. */
  differingWindows: number;
  residualsCompared: number;
  residualsDiffering: number;
  /** The first differences, in words. */
  problems: string[];
}

export interface VerificationEntry {
  outcome: "reproduced" | "differs" | "failed";
  outputs: FieldComparison[];
  /** Runs in time: the iterations per window and the residual histories. */
  convergence?: ConvergenceComparison;
  environmentDifferences: string[];
}

/** One iteration's residual of one measured field: ‖Δ‖₂ and ‖Δ‖₂ / ‖x̃‖₂. */
export interface ResidualEntry {
  absolute: number;
  relative: number;
}

/** A run in time: one window's convergence history (docs/run-record.md, "convergence"). */
export interface WindowConvergenceEntry {
  window: number;
  start: number;
  size: number;
  iterations: number;
  converged: boolean;
  /** Per measured field (as the composition names it), per iteration. */
  residuals: Record<string, ResidualEntry[]>;
  /** The acceleration's method, or "none". */
  acceleration: string;
}

/** A run in time: how it was coupled, in sum. */
export interface TimeEntry {
  scheme: string;
  window: number | "first-participant";
  maxTime?: number;
  windows?: number;
  /** Coupling iterations over all windows. */
  iterations: number;
}

/** A run over nodes: one transfer, and where its operator was applied (docs/cluster.md). */
export interface TransferEntry {
  /** "component.mesh.field → component.mesh.field", as the timings name it. */
  transfer: string;
  /** The node (its host name) whose process applied the operator: the driver's, or the target's agent. */
  appliedOn: string;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  version: typeof RUN_RECORD_VERSION;
  name: string;
  runId: string;
  status: "completed" | "failed" | "interrupted";
  error?: string;
  composition: CompositionEntry;
  commandLine: string[];
  startedUnixMs: number;
  finishedUnixMs: number;
  /** Iterations of an iteration run; windows of a run in time (planned 0 when not known beforehand). */
  iterations: { planned: number; completed: number };
  /** A run in time only. */
  time?: TimeEntry;
  /** A run in time only: every completed window's iterations, residuals and acceleration. */
  convergence?: WindowConvergenceEntry[];
  /** Components of many ranks: load imbalance, the slowest and fastest rank of every step (docs/parallel.md). */
  ranks?: Record<string, RankImbalance>;
  driver: DriverEntry;
  enclaves: EnclaveEntry[];
  /** A run over nodes only: every transfer and the node it was applied on. */
  transfers?: TransferEntry[];
  seeds: RandomSeed[];
  inputs: InputFile[];
  setupMs: Record<string, number>;
  timing: TimingSummary;
  timings: Record<string, PhaseSummaryUs>;
  /** Per phase, its samples binned (the report draws them). Absent in older records. */
  timingHistograms?: Record<string, PhaseHistogramUs>;
  /** The outputs: every field of every mesh, as saved. */
  fields: FieldFile[];
  replayOf?: ReplayOf;
  verification?: VerificationEntry;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A fresh directory for one run's record: <results>/<name>-<UTC time>-<run id>. */
export function createRecordDirectory(resultsDirectory: string, name: string, runId: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  const directory = join(resultsDirectory, `${name}-${stamp}-${runId.slice(0, 8)}`);
  mkdirSync(join(directory, "fields"), { recursive: true });
  return directory;
}

/** Copies every mesh's coordinates and fields out of shared memory into the record. */
export function saveFields(directory: string, meshes: ReadonlyMap<string, SharedMesh>): FieldFile[] {
  const files: FieldFile[] = [];
  const save = (name: string, values: Float64Array) => {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const file = join("fields", `${name}.f64`);
    writeFileSync(join(directory, file), bytes);
    files.push({ name, file, values: values.length, bytes: bytes.byteLength, sha256: sha256(bytes) });
  };
  for (const [name, mesh] of meshes) {
    save(`${name}.coordinates`, mesh.coordinates);
    for (const field of mesh.spec.fields) save(`${name}.${field}`, mesh.field(field));
  }
  return files;
}

/** Writes the composition's bytes — those that were parsed and hashed — beside the record. */
export function copyComposition(directory: string, compositionFile: string, bytes: Uint8Array): CompositionEntry {
  const copy = `composition-${basename(compositionFile)}`;
  writeFileSync(join(directory, copy), bytes);
  return { file: compositionFile, sha256: sha256(bytes), bytes: bytes.byteLength, copy };
}

export function phaseSummaries(
  summaries: { phase: string; distribution: Distribution }[],
): Record<string, PhaseSummaryUs> {
  const result: Record<string, PhaseSummaryUs> = {};
  for (const { phase, distribution } of summaries) {
    if (distribution.n === 0) continue;
    result[phase] = {
      n: distribution.n,
      mean_us: distribution.mean / 1000,
      sd_us: distribution.sd / 1000,
      p50_us: distribution.p50 / 1000,
      p99_us: distribution.p99 / 1000,
      max_us: distribution.max / 1000,
    };
  }
  return result;
}

/** Each phase's samples (nanoseconds) binned in microseconds; a phase without samples is left out, as in timings. */
export function phaseHistograms(phases: { phase: string; samples: Float64Array }[]): Record<string, PhaseHistogramUs> {
  const result: Record<string, PhaseHistogramUs> = {};
  for (const { phase, samples } of phases) {
    if (samples.length === 0) continue;
    const binned = histogram(samples);
    result[phase] = { edges_us: binned.edges.map((edge) => edge / 1000), counts: binned.counts };
  }
  return result;
}

export function writeRunRecord(directory: string, record: RunRecord): void {
  writeFileSync(join(directory, RUN_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** The directory holds no readable run record of this version. */
export class RunRecordError extends Error {
  override name = "RunRecordError";
}

export function readRunRecord(directory: string): RunRecord {
  const file = join(directory, RUN_RECORD_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new RunRecordError(
      `${directory} is not a run directory: it has no ${RUN_RECORD_FILE}. Give a directory that \`conflux run\` wrote (under the composition's results directory).`,
    );
  }
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new RunRecordError(`${file} is not valid JSON (${(error as Error).message}); the record is damaged`);
  }
  if (record === null || typeof record !== "object" || record.format !== RUN_RECORD_FORMAT) {
    throw new RunRecordError(
      `${file} is not a conflux run record (its format is ${String(record?.format)}, not ${RUN_RECORD_FORMAT})`,
    );
  }
  if (record.version !== RUN_RECORD_VERSION) {
    const older = typeof record.version === "number" && record.version < RUN_RECORD_VERSION;
    throw new RunRecordError(
      `${file} is a run record of version ${String(record.version)}; this conflux reads version ${RUN_RECORD_VERSION}${older ? " (version 1 records lack the environment and input hashes: run the composition again)" : ""}`,
    );
  }
  return record;
}

/** The directory holding a record's run directory: where a verification's own record goes by default. */
export function resultsDirectoryOf(directory: string): string {
  return dirname(resolve(directory));
}
