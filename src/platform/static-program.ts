// Small C programs that must run where the host's libraries may not be (a
// guest's initramfs, a container's stack), so they are linked statically. Built
// with the host's cc on first use and kept in a cache named by the hash of the
// flags and every source, so a changed source means a rebuilt program.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { compilerCommand } from "./c-compiler.ts";

export interface StaticProgramSpec {
  /** The binary's name in the cache, before its hash. */
  name: string;
  /** What the program is, for the error message: "the guest agent". */
  purpose: string;
  /** C files to compile (absolute paths). */
  sources: readonly string[];
  /** Files the sources include, hashed but not compiled. */
  headers?: readonly string[];
  flags: readonly string[];
  /** Linker arguments after the sources, e.g. -lm. */
  libraries?: readonly string[];
  /** The cache directory. */
  directory: string;
  /** Called once before compiling, when the cache does not have the program (a progress display says so). */
  beforeBuilding?: () => void;
}

/** The path of the built program, building it if the cache does not have it. */
export function staticProgram(spec: StaticProgramSpec): string {
  const flags = ["-static", ...spec.flags];
  const hash = createHash("sha256")
    .update(flags.join(" "))
    .update(`\0${(spec.libraries ?? []).join(" ")}`);
  for (const file of [...spec.sources, ...(spec.headers ?? [])]) {
    hash.update(`\0${basename(file)}\0`).update(readFileSync(file));
  }
  const binary = join(spec.directory, `${spec.name}-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  spec.beforeBuilding?.();
  mkdirSync(spec.directory, { recursive: true });
  // Built beside it and renamed: a concurrent build or reader never sees half a program.
  const partial = `${binary}.${randomBytes(4).toString("hex")}`;
  const compiler = compilerCommand();
  if (compiler === undefined) {
    throw new Error(`cannot build ${spec.purpose} (cc -static): ${NO_COMPILER}`);
  }
  const build = spawnSync(compiler, [...flags, ...spec.sources, ...(spec.libraries ?? []), "-o", partial], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (build.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`cannot build ${spec.purpose} (cc -static): ${buildFailure(build.stderr, build.error)}`);
  }
  renameSync(partial, binary);
  removeOlderBuilds(spec.directory, spec.name, binary);
  return binary;
}

/** How old a build of other sources must be before it is removed: another checkout may be about to use it. */
const OLDER_BUILD_AGE_MS = 3600_000;

/**
 * Builds of the same program from older sources are dead weight, once they are
 * old enough that no other checkout or version sharing the cache can have just
 * built one and be about to bind or copy it. One still in use (bound into a
 * running container, copied into an image) is unaffected: an unlinked file
 * lives on while it is open or mounted.
 */
function removeOlderBuilds(directory: string, name: string, current: string): void {
  const older = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{16}$`);
  const before = Date.now() - OLDER_BUILD_AGE_MS;
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (path === current || !older.test(entry)) continue;
    try {
      if (statSync(path).mtimeMs < before) rmSync(path, { force: true });
    } catch {
      // removed meanwhile by another build
    }
  }
}

const NO_COMPILER =
  "there is no C compiler ($CC, cc, gcc or clang) on PATH; install one with the static C library: apt-get install -y gcc libc6-dev";

/** The compiler's words, with the fix when what failed is the toolchain rather than the source. */
function buildFailure(stderr: string, error: Error | undefined): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    return NO_COMPILER; // it was there when first looked for
  }
  const words = (stderr || error?.message || "the compiler failed").trim();
  if (/cannot find -l(?:c|m)\b/.test(words)) {
    return `${words}. The static C library is missing: apt-get install -y libc6-dev`;
  }
  return words;
}
