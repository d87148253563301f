// Versions of the software between a composition and the machine: the Node.js
// runtime with its bundled libraries (V8, ICU, OpenSSL, …), the TypeScript
// loader that transpiles module components (tsx and its esbuild), Conflux
// itself (its package version and, in a git checkout, its commit), and the
// host's C compiler (`cc --version`), which builds the native addon and, most
// likely, the command components compiled on this machine.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../platform/package-root.ts";
import { tsxLoaderUrl } from "../platform/typescript-loader.ts";

export interface NodeRuntime {
  executable: string;
  /** process.versions: node, v8, uv, icu, openssl, … */
  versions: Record<string, string>;
  /** The glibc version Node reports it runs on. */
  glibc?: string;
  tsx?: string;
  esbuild?: string;
}

export interface ConfluxVersion {
  version: string;
  /** The commit of the checkout Conflux runs from, when it is one. */
  commit?: string;
}

let runtime: NodeRuntime | undefined;
let compiler: string | null | undefined;
let conflux: ConfluxVersion | undefined;

export function nodeRuntime(): NodeRuntime {
  if (runtime !== undefined) return runtime;
  const versions: Record<string, string> = {};
  for (const [name, version] of Object.entries(process.versions)) if (version !== undefined) versions[name] = version;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  let tsx: string | undefined;
  let esbuild: string | undefined;
  try {
    const tsxPackage = packageFile(fileURLToPath(tsxLoaderUrl()), "tsx");
    if (tsxPackage !== undefined) {
      tsx = versionIn(tsxPackage);
      // esbuild as tsx resolves it: tsx's own dependency, wherever npm put it
      const esbuildPackage = packageFile(createRequire(tsxPackage).resolve("esbuild"), "esbuild");
      esbuild = esbuildPackage === undefined ? undefined : versionIn(esbuildPackage);
    }
  } catch {
    // no tsx: module components cannot run either, and the launch says so
  }
  runtime = {
    executable: process.execPath,
    versions,
    ...(header?.glibcVersionRuntime === undefined ? {} : { glibc: header.glibcVersionRuntime }),
    ...(tsx === undefined ? {} : { tsx }),
    ...(esbuild === undefined ? {} : { esbuild }),
  };
  return runtime;
}

/** The first line of `cc --version`, or null when there is no cc. */
export function hostCompiler(): string | null {
  if (compiler !== undefined) return compiler;
  const result = spawnSync("cc", ["--version"], { encoding: "utf8", timeout: 10_000 });
  compiler = result.status === 0 ? (result.stdout.split("\n")[0]?.trim() ?? null) : null;
  return compiler;
}

export function confluxVersion(): ConfluxVersion {
  if (conflux !== undefined) return conflux;
  const version = versionIn(join(PACKAGE_ROOT, "package.json")) ?? "unknown";
  let commit: string | undefined;
  if (existsSync(join(PACKAGE_ROOT, ".git"))) {
    const result = spawnSync("git", ["-C", PACKAGE_ROOT, "rev-parse", "HEAD"], { encoding: "utf8", timeout: 10_000 });
    if (result.status === 0) commit = result.stdout.trim();
  }
  conflux = { version, ...(commit === undefined ? {} : { commit }) };
  return conflux;
}

/** The package.json of package `name` that contains `file`. */
function packageFile(file: string, name: string): string | undefined {
  for (let directory = dirname(file); directory !== dirname(directory); directory = dirname(directory)) {
    const candidate = join(directory, "package.json");
    if (existsSync(candidate) && nameIn(candidate) === name) return candidate;
  }
  return undefined;
}

function nameIn(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

function versionIn(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}
