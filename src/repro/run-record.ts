// The record every `conflux run` leaves: what ran (the composition and its
// hash, the command line, every enclave's description), how it went (status,
// iterations, the error if any, per-phase timings) and what it produced (every
// field of every mesh, with its SHA-256). Written on success and on failure, so
// results produced before a failure stay readable. Format: docs/run-record.md.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Distribution } from "../bench/distribution.ts";
import type { SharedMesh } from "../component/shared-mesh.ts";

export const RUN_RECORD_FORMAT = "conflux-run";
export const RUN_RECORD_VERSION = 1;
export const RUN_RECORD_FILE = "run.json";

export interface FieldFile {
  /** component.mesh.field, or component.mesh.coordinates */
  name: string;
  file: string;
  values: number;
  sha256: string;
}

export interface PhaseSummaryUs {
  n: number;
  mean_us: number;
  sd_us: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  version: typeof RUN_RECORD_VERSION;
  name: string;
  runId: string;
  status: "completed" | "failed" | "interrupted";
  error?: string;
  composition: { file: string; sha256: string; copy: string };
  commandLine: string[];
  startedUnixMs: number;
  finishedUnixMs: number;
  iterations: { planned: number; completed: number };
  enclaves: unknown[];
  setupMs: Record<string, number>;
  timings: Record<string, PhaseSummaryUs>;
  fields: FieldFile[];
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
    files.push({ name, file, values: values.length, sha256: sha256(bytes) });
  };
  for (const [name, mesh] of meshes) {
    save(`${name}.coordinates`, mesh.coordinates);
    for (const field of mesh.spec.fields) save(`${name}.${field}`, mesh.field(field));
  }
  return files;
}

export function copyComposition(
  directory: string,
  compositionFile: string,
): { file: string; sha256: string; copy: string } {
  const copy = `composition-${basename(compositionFile)}`;
  copyFileSync(compositionFile, join(directory, copy));
  return { file: compositionFile, sha256: sha256(readFileSync(compositionFile)), copy };
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

export function writeRunRecord(directory: string, record: RunRecord): void {
  writeFileSync(join(directory, RUN_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export function readRunRecord(directory: string): RunRecord {
  let text: string;
  try {
    text = readFileSync(join(directory, RUN_RECORD_FILE), "utf8");
  } catch {
    throw new Error(
      `${directory} is not a run directory: it has no ${RUN_RECORD_FILE}. Give a directory that \`conflux run\` wrote (under the composition's results directory).`,
    );
  }
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new Error(
      `${join(directory, RUN_RECORD_FILE)} is not valid JSON (${(error as Error).message}); the record is damaged`,
    );
  }
  if (record.format !== RUN_RECORD_FORMAT || record.version !== RUN_RECORD_VERSION) {
    throw new Error(
      `${join(directory, RUN_RECORD_FILE)} is not a conflux run record of version ${RUN_RECORD_VERSION} (format ${String(record.format)}, version ${String(record.version)})`,
    );
  }
  return record;
}
