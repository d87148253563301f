// Whether a record's own files are still what the run wrote: the composition
// copy and every saved field are hashed again and compared with run.json.
// This catches a damaged or edited file, and an edited hash in run.json; it
// cannot catch someone who edits a file and its hash together — for that, keep
// the SHA-256 of run.json itself somewhere else (`conflux inspect` prints it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunRecord, sha256 } from "./run-record.ts";

export interface AlteredFile {
  /** The file, relative to the record directory. */
  file: string;
  reason: string;
}

export function alteredFiles(directory: string, record: RunRecord): AlteredFile[] {
  const expected = [
    { file: record.composition.copy, sha256: record.composition.sha256 },
    ...record.fields.map((field) => ({ file: field.file, sha256: field.sha256 })),
  ];
  const altered: AlteredFile[] = [];
  for (const { file, sha256: recorded } of expected) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(directory, file));
    } catch {
      altered.push({ file, reason: "is missing" });
      continue;
    }
    const actual = sha256(bytes);
    if (actual !== recorded) altered.push({ file, reason: `has sha256 ${actual}, the record says ${recorded}` });
  }
  return altered;
}

/** SHA-256 of run.json as it is on disk. */
export function recordDigest(directory: string): string {
  return sha256(readFileSync(join(directory, "run.json")));
}
