// repro/export/ owns `conflux repro export`: a run record as a Workflow Run RO-Crate.
// It must not run or replay anything: it reads the record and the files it names.

// Writes a run record out as a Workflow Run RO-Crate directory: the record's
// own files (run.json, the composition copy, every field) and the run's input
// files, copied under inputs/ with their paths relative to the inputs' common
// directory, then ro-crate-metadata.json (workflow-run-crate.ts). A record
// whose files no longer match its hashes is refused; an input that changed or
// went away since the run is not copied (its bytes are no longer the run's)
// but referenced by its original path and recorded hash, with a warning.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { hashFile } from "../../record/file-digest.ts";
import { alteredFiles } from "../../record/record-integrity.ts";
import { RUN_RECORD_FILE, readRunRecord } from "../../record/run-record.ts";
import { CRATE_METADATA_FILE, type CrateFile, type CrateOptions, workflowRunCrate } from "./workflow-run-crate.ts";

export interface ExportOptions extends Omit<CrateOptions, "datePublished"> {
  /** The crate directory (default: <run dir>-ro-crate beside the record); it must not exist or be empty. */
  out?: string;
}

export interface ExportResult {
  directory: string;
  files: number;
  /** Inputs that were not copied, and why. */
  warnings: string[];
}

/** Thrown when the target directory is in the way: bad usage, not a failed export. */
export class CrateTargetError extends Error {
  override name = "CrateTargetError";
}

/** Thrown when the record's own files do not match its hashes. */
export class AlteredRecordError extends Error {
  override name = "AlteredRecordError";
}

export function exportCrate(recordDirectory: string, options: ExportOptions = {}): ExportResult {
  const record = readRunRecord(recordDirectory);
  const altered = alteredFiles(recordDirectory, record);
  if (altered.length > 0) {
    throw new AlteredRecordError(
      `the record in ${recordDirectory} has been altered since the run, so it is not exported:\n${altered.map((file) => `  ${file.file} ${file.reason}`).join("\n")}`,
    );
  }
  const out = resolve(options.out ?? `${resolve(recordDirectory)}-ro-crate`);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new CrateTargetError(`${out} exists and is not empty; give --out a new or empty directory`);
  }
  mkdirSync(out, { recursive: true });

  const files: CrateFile[] = [];
  const warnings: string[] = [];
  const copy = (from: string, id: string) => {
    mkdirSync(dirname(join(out, id)), { recursive: true });
    copyFileSync(from, join(out, id));
  };
  copy(join(recordDirectory, record.composition.copy), record.composition.copy);
  files.push({
    id: record.composition.copy,
    role: "workflow",
    name: basename(record.composition.file),
    sha256: record.composition.sha256,
    bytes: record.composition.bytes,
    originalPath: record.composition.file,
    encodingFormat: "application/yaml",
  });
  copy(join(recordDirectory, RUN_RECORD_FILE), RUN_RECORD_FILE);
  const trace = hashFile(join(out, RUN_RECORD_FILE));
  files.push({
    id: RUN_RECORD_FILE,
    role: "record",
    name: "Conflux run record",
    sha256: trace.sha256 ?? "",
    bytes: trace.bytes ?? 0,
    encodingFormat: "application/json",
    description: `The run record (format ${record.format}, version ${record.version}, see Conflux's docs/run-record.md): every enclave's kernel, CPU, loaded libraries with their hashes, compilers, runtimes, environment, seeds and timings.`,
  });
  for (const field of record.fields) {
    copy(join(recordDirectory, field.file), field.file);
    files.push({
      id: field.file,
      role: "output",
      name: field.name,
      sha256: field.sha256,
      bytes: field.bytes,
      encodingFormat: "application/octet-stream",
      description: `${field.values} float64 values`,
      field: field.name,
    });
  }

  const inputs = record.inputs.filter((input) => input.role !== "composition");
  const common = commonDirectory(inputs.map((input) => input.path));
  for (const input of inputs) {
    const where = input.component === undefined ? input.role : `${input.role} of ${input.component}`;
    const base = {
      role: "input" as const,
      name: basename(input.path),
      originalPath: input.path,
      description: where,
      ...formatOf(input.path),
    };
    if (input.sha256 === undefined) {
      warnings.push(
        `${input.path} (${where}) was unreadable during the run (${input.error ?? "no digest"}); not in the crate`,
      );
      continue;
    }
    const now = hashFile(input.path);
    if (now.sha256 === input.sha256) {
      const id = ["inputs", ...relative(common, input.path).split(sep)].join("/");
      copy(input.path, id);
      files.push({ ...base, id, sha256: input.sha256, bytes: input.bytes ?? now.bytes ?? 0 });
    } else {
      warnings.push(
        `${input.path} (${where}) ${now.sha256 === undefined ? `is gone (${now.error})` : "has changed since the run"}; referenced by its recorded hash, not copied`,
      );
      files.push({ ...base, id: `file://${encodeURI(input.path)}`, sha256: input.sha256, bytes: input.bytes ?? 0 });
    }
  }
  const metadata = workflowRunCrate(record, files, {
    ...(options.agent === undefined ? {} : { agent: options.agent }),
    ...(options.license === undefined ? {} : { license: options.license }),
    datePublished: new Date().toISOString(),
  });
  writeFileSync(join(out, CRATE_METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  return { directory: out, files: files.length, warnings };
}

function commonDirectory(paths: readonly string[]): string {
  if (paths.length === 0) return sep;
  let common = dirname(paths[0] as string);
  for (const path of paths) {
    while (common !== dirname(common) && !path.startsWith(common + sep)) common = dirname(common);
  }
  return common;
}

function formatOf(path: string): { encodingFormat?: string } {
  const format: Record<string, string> = {
    ".ts": "text/x.typescript",
    ".mts": "text/x.typescript",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".py": "text/x-python",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".json": "application/json",
    ".c": "text/x-c",
  };
  const found = format[extname(path)];
  return found === undefined ? {} : { encodingFormat: found };
}
