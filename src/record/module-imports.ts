// The source files a module component runs: its entry module and, followed
// statically, every module it imports by a relative or absolute path — the
// component's own files and the Conflux SDK it links. Package imports (bare
// names) and node: built-ins are left out: their versions are recorded with
// the runtime. A scan of import statements, not a parse: an import built at
// run time from a string expression is not seen, which docs/run-record.md says.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, resolve } from "node:path";
import { PACKAGE_NAME } from "../platform/package-root.ts";

const IMPORT =
  /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"'\n]+)["']|\bimport\s*\(\s*["']([^"'\n]+)["']\s*\)|\brequire\s*\(\s*["']([^"'\n]+)["']\s*\)/g;
/** How a specifier without an extension may resolve: tsx accepts these, in this order. */
const CANDIDATE_SUFFIXES = ["", ".ts", ".tsx", ".mts", ".js", ".mjs", "/index.ts", "/index.js"];
/** A component importing more files than this is unusual; stop rather than walk a whole tree. */
const MAX_FILES = 5000;

/** Absolute paths of `entry` and every file it imports, transitively, entry first. */
export function moduleSources(entry: string): string[] {
  const found = [entry];
  const seen = new Set(found);
  for (let index = 0; index < found.length && found.length < MAX_FILES; index++) {
    const file = found[index] as string;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? "";
      const own = specifier.startsWith(OWN_PACKAGE);
      if (!own && !specifier.startsWith("./") && !specifier.startsWith("../") && !isAbsolute(specifier)) continue;
      const target = own ? resolveOwnExport(file, specifier) : resolveSpecifier(dirname(file), specifier);
      if (target !== undefined && !seen.has(target)) {
        seen.add(target);
        found.push(target);
      }
    }
  }
  return found;
}

/** This package's exports as a component imports them: the SDK is a component's source as its own files are. */
const OWN_PACKAGE = `${PACKAGE_NAME}/`;

function resolveOwnExport(importer: string, specifier: string): string | undefined {
  try {
    return createRequire(importer).resolve(specifier);
  } catch {
    return undefined;
  }
}

function resolveSpecifier(directory: string, specifier: string): string | undefined {
  const base = resolve(directory, specifier.replace(/[?#].*$/, ""));
  for (const suffix of CANDIDATE_SUFFIXES) {
    const candidate = base + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  // "./x.js" written for a file that is x.ts (TypeScript's NodeNext convention)
  const typescript = base.replace(/\.(m?)js$/, ".$1ts");
  return typescript !== base && existsSync(typescript) ? typescript : undefined;
}
