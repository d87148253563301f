// What differs between the environments of two runs of one composition —
// kernel, CPU, libraries, compilers, runtimes, floating-point settings,
// environment variables, seeds and input files — one line per difference,
// so that a replay whose outputs differ says beside them what else changed.
// Things that differ between any two runs (pids, run ids, times, the
// run's shared-memory directory) are not differences.

import type { InputFile } from "../../record/composition-inputs.ts";
import type { EnclaveEnvironment, LoadedFile } from "../../record/enclave-environment.ts";
import type { RunRecord } from "../../record/run-record.ts";
import { RUN_DIRECTORY_VARIABLE } from "../../wire/environment.ts";

/** Variables whose value is per run by design. */
const PER_RUN_VARIABLES = new Set([RUN_DIRECTORY_VARIABLE]);
const SHOWN_VALUE_CHARACTERS = 60;

export function environmentDifferences(original: RunRecord, replay: RunRecord): string[] {
  const lines: string[] = [];
  const say = (where: string, what: string, before: unknown, after: unknown) => {
    if (show(before) !== show(after)) lines.push(`${where}: ${what} ${show(before)} → ${show(after)}`);
  };
  say("conflux", "version", original.driver.conflux.version, replay.driver.conflux.version);
  say("conflux", "commit", original.driver.conflux.commit, replay.driver.conflux.commit);
  say("host", "C compiler", original.driver.hostCompiler, replay.driver.hostCompiler);
  compareEnvironments("driver", original.driver.environment, replay.driver.environment, lines);
  compareVariables("driver", original.driver.env, replay.driver.env, lines);
  const replayed = new Map(replay.enclaves.map((enclave) => [enclave.component, enclave]));
  for (const enclave of original.enclaves) {
    const other = replayed.get(enclave.component);
    if (other === undefined) {
      lines.push(`${enclave.component}: not in the replay`);
      continue;
    }
    say(enclave.component, "enclave kind", enclave.kind, other.kind);
    if (enclave.environment !== undefined && other.environment !== undefined) {
      compareEnvironments(enclave.component, enclave.environment, other.environment, lines);
    }
    compareVariables(enclave.component, enclave.description.env, other.description.env, lines);
  }
  const seedKey = (seed: RunRecord["seeds"][number]) => `${seed.component} ${seed.source}`;
  const seeds = new Map(replay.seeds.map((seed) => [seedKey(seed), seed.value]));
  for (const seed of original.seeds) say(seed.component, `seed ${seed.source}`, seed.value, seeds.get(seedKey(seed)));
  compareInputs(original.inputs, replay.inputs, lines);
  return lines;
}

function compareEnvironments(
  where: string,
  before: EnclaveEnvironment,
  after: EnclaveEnvironment,
  lines: string[],
): void {
  const say = (what: string, a: unknown, b: unknown) => {
    if (show(a) !== show(b)) lines.push(`${where}: ${what} ${show(a)} → ${show(b)}`);
  };
  say("kernel", before.kernel.release, after.kernel.release);
  if (before.kernel.release === after.kernel.release) say("kernel build", before.kernel.build, after.kernel.build);
  say("CPU", before.cpu.model, after.cpu.model);
  say("CPU microcode", before.cpu.microcode, after.cpu.microcode);
  const removed = before.cpu.flags.filter((flag) => !after.cpu.flags.includes(flag));
  const added = after.cpu.flags.filter((flag) => !before.cpu.flags.includes(flag));
  if (removed.length > 0 || added.length > 0) {
    lines.push(
      `${where}: CPU flags ${[...removed.map((flag) => `-${flag}`), ...added.map((flag) => `+${flag}`)].join(" ")}`,
    );
  }
  say("C library", libcText(before), libcText(after));
  say("compilers", before.compilers.join("; "), after.compilers.join("; "));
  for (const name of new Set([
    ...Object.keys(before.runtime?.versions ?? {}),
    ...Object.keys(after.runtime?.versions ?? {}),
  ])) {
    say(name === "node" ? "node" : `node's ${name}`, before.runtime?.versions[name], after.runtime?.versions[name]);
  }
  say("tsx", before.runtime?.tsx, after.runtime?.tsx);
  say("esbuild", before.runtime?.esbuild, after.runtime?.esbuild);
  say("stack or image", softwareText(before), softwareText(after));
  say("node flags", before.floatingPoint.nodeFlags.join(" "), after.floatingPoint.nodeFlags.join(" "));
  if (before.executable !== undefined || after.executable !== undefined) {
    compareFiles(
      where,
      "executable",
      before.executable ? [before.executable] : [],
      after.executable ? [after.executable] : [],
      lines,
      true,
    );
  }
  compareFiles(where, "library", before.libraries, after.libraries, lines, false);
}

function compareFiles(
  where: string,
  what: string,
  before: readonly LoadedFile[],
  after: readonly LoadedFile[],
  lines: string[],
  single: boolean,
): void {
  if (single) {
    const [a, b] = [before[0], after[0]];
    if (a?.path !== b?.path) lines.push(`${where}: ${what} ${show(a?.path)} → ${show(b?.path)}`);
    else if (a?.sha256 !== b?.sha256)
      lines.push(`${where}: ${what} ${a?.path} changed (sha256 ${short(a?.sha256)} → ${short(b?.sha256)})`);
    return;
  }
  const later = new Map(after.map((file) => [file.path, file]));
  const earlier = new Set(before.map((file) => file.path));
  for (const file of before) {
    const other = later.get(file.path);
    if (other === undefined) lines.push(`${where}: ${what} ${file.path} no longer loaded`);
    else if (other.sha256 !== file.sha256) {
      lines.push(`${where}: ${what} ${file.path} changed (sha256 ${short(file.sha256)} → ${short(other.sha256)})`);
    }
  }
  for (const file of after) if (!earlier.has(file.path)) lines.push(`${where}: ${what} ${file.path} newly loaded`);
}

function compareVariables(
  where: string,
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  lines: string[],
): void {
  const changed: string[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (PER_RUN_VARIABLES.has(name) || before[name] === after[name]) continue;
    changed.push(`${name} ${show(before[name])} → ${show(after[name])}`);
  }
  if (changed.length > 0) lines.push(`${where}: environment variables ${changed.join(", ")}`);
}

/** An input by what it is rather than where: the same bytes in the same role of the same component. */
function contentKey(file: InputFile): string {
  return `${file.component ?? ""}\0${file.role}\0${file.sha256 ?? file.path}`;
}

function compareInputs(before: readonly InputFile[], after: readonly InputFile[], lines: string[]): void {
  const later = new Map(after.map((file) => [file.path, file]));
  // A replay from a bundle reads the same files at other paths (where it was unpacked): not a difference.
  const laterContent = new Set(after.map(contentKey));
  const earlierContent = new Set(before.map(contentKey));
  for (const file of before) {
    const other = later.get(file.path);
    const where = file.component === undefined ? "input" : `${file.component}: input`;
    if (other === undefined && laterContent.has(contentKey(file))) continue;
    if (other === undefined) lines.push(`${where} ${file.path} (${file.role}) not read by the replay`);
    else if (other.sha256 !== file.sha256) {
      lines.push(
        `${where} ${file.path} (${file.role}) changed (sha256 ${short(file.sha256)} → ${short(other.sha256)})`,
      );
    }
  }
  const earlier = new Set(before.map((file) => file.path));
  for (const file of after) {
    if (!earlier.has(file.path) && !earlierContent.has(contentKey(file)))
      lines.push(`${file.component ?? "input"}: input ${file.path} (${file.role}) new in the replay`);
  }
}

function libcText(environment: EnclaveEnvironment): string {
  const libc = environment.libc;
  return [libc.family, libc.version, libc.build === undefined ? undefined : `(${libc.build})`]
    .filter(Boolean)
    .join(" ");
}

function softwareText(environment: EnclaveEnvironment): string | undefined {
  const software = environment.software;
  return software === undefined
    ? undefined
    : `${software.kind} ${software.name} ${short(software.sha256)}${software.imageDigest === undefined ? "" : ` image ${software.imageDigest}`}`;
}

function short(sha256: string | undefined): string {
  return sha256 === undefined ? "(unreadable)" : sha256.slice(0, 12);
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > SHOWN_VALUE_CHARACTERS ? `${text.slice(0, SHOWN_VALUE_CHARACTERS - 1)}…` : text;
}
