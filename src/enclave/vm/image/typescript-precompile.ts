// TypeScript modules compiled on the host for a guest. tsx compiles them at
// load time with esbuild, which under TCG costs seconds per launch (starting
// esbuild, loading tsx); the guest's own hook (guest/ts-hooks.mjs) instead
// reads each module's JavaScript from /conflux/compiled<path>.js. The same
// esbuild tsx uses does the compiling, with the package's tsconfig.json, so the
// code that runs is what tsx would have produced. Outputs are cached by the
// hash of their input.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packagePath } from "../../../platform/package-root.ts";
import type { GuestFileSet } from "./guest-files.ts";
import { packageRoot } from "./guest-files.ts";

const GUEST_SOURCES = packagePath("guest/");
export const GUEST_TS_LOADER = "/conflux/ts-loader.mjs";
const TYPESCRIPT = /\.(ts|mts)$/;

interface Esbuild {
  version: string;
  transformSync(
    source: string,
    options: Record<string, unknown>,
  ): {
    code: string;
  };
}

function loadEsbuild(): Esbuild {
  const fromTsx = createRequire(fileURLToPath(import.meta.resolve("tsx")));
  return fromTsx(fromTsx.resolve("esbuild")) as Esbuild;
}

function isModulePackage(root: string | undefined, cache: Map<string, boolean>): boolean {
  if (root === undefined) return false;
  let module = cache.get(root);
  if (module === undefined) {
    try {
      module = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { type?: string }).type === "module";
    } catch {
      module = false;
    }
    cache.set(root, module);
  }
  return module;
}

/**
 * Adds a compiled copy of every TypeScript module in `files` and the guest's
 * hook. Returns false, adding nothing, when some module is not an ES module
 * (tsx, which handles CommonJS too, then runs in the guest as on the host).
 */
export function precompileTypeScript(files: GuestFileSet, cache: string): boolean {
  const sources = files
    .list()
    // Packages from node_modules ship JavaScript; the TypeScript some also ship is never loaded.
    .filter(
      (entry) =>
        entry.type === "file" &&
        TYPESCRIPT.test(entry.path) &&
        !entry.path.endsWith(".d.ts") &&
        !entry.path.includes("/node_modules/"),
    );
  const modulePackages = new Map<string, boolean>();
  for (const entry of sources) {
    if (!entry.path.endsWith(".mts") && !isModulePackage(packageRoot(entry.path), modulePackages)) return false;
  }
  const esbuild = loadEsbuild();
  const directory = join(cache, "compiled");
  mkdirSync(directory, { recursive: true });
  for (const entry of sources) {
    if (entry.type !== "file") continue;
    const source = readFileSync(entry.source, "utf8");
    const root = packageRoot(entry.path);
    const tsconfigPath = root === undefined ? undefined : join(root, "tsconfig.json");
    const tsconfigRaw =
      tsconfigPath !== undefined && existsSync(tsconfigPath) ? readFileSync(tsconfigPath, "utf8") : undefined;
    const key = createHash("sha256")
      .update(`${esbuild.version}\0${entry.path}\0${tsconfigRaw ?? ""}\0`)
      .update(source)
      .digest("hex");
    const output = join(directory, `${key}.js`);
    if (!existsSync(output)) {
      const { code } = esbuild.transformSync(source, {
        loader: "ts",
        format: "esm",
        target: `node${process.versions.node}`,
        sourcemap: "inline",
        sourcefile: entry.path,
        ...(tsconfigRaw === undefined ? {} : { tsconfigRaw }),
      });
      const partial = `${output}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, output);
    }
    files.file(`/conflux/compiled${entry.path}.js`, output, 0o644);
  }
  files.file(GUEST_TS_LOADER, join(GUEST_SOURCES, "ts-loader.mjs"), 0o644);
  files.file(join(dirname(GUEST_TS_LOADER), "ts-hooks.mjs"), join(GUEST_SOURCES, "ts-hooks.mjs"), 0o644);
  return true;
}
