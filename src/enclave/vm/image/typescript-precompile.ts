// TypeScript modules compiled on the host for a guest. tsx compiles them at
// load time with esbuild, which under TCG costs seconds per launch (starting
// esbuild, loading tsx); a loader hook that serves compiled copies instead
// (module.register) still costs about 1 s, because Node.js 20 runs hooks on a
// thread of their own, a second V8 isolate started at emulated speed. So the
// guest needs no hook at all: each module `m.ts` is compiled to `m.ts.mjs`
// beside it, and `m.ts` in the guest is a symbolic link to that copy. Node.js
// resolves a module to its real path, so `node m.ts` and `import "./m.ts"` load
// the compiled `.mjs` as an ES module, relative imports resolve in the same
// directory as on the host, and process.argv[1] stays `m.ts`; import.meta.url
// ends in `m.ts.mjs`. The same esbuild tsx uses does the compiling, with the
// package's tsconfig.json, so the code that runs is what tsx would have
// produced. Source maps are files of their own (`m.ts.mjs.map`), read only when
// Node.js is asked for them (NODE_OPTIONS=--enable-source-maps in the
// component's environment). Outputs are cached by the hash of their input.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GuestFileSet } from "./guest-files.ts";
import { packageRoot } from "./guest-files.ts";

const TYPESCRIPT = /\.(ts|mts)$/;
/** What a module's compiled copy in the guest is called: its own name and this. */
export const COMPILED_SUFFIX = ".mjs";

interface Esbuild {
  version: string;
  transformSync(
    source: string,
    options: Record<string, unknown>,
  ): {
    code: string;
    map: string;
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

/** Writes `content` to `path` unless it is there, never leaving half a file for another builder. */
function writeOnce(path: string, content: string): void {
  if (existsSync(path)) return;
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, content);
  renameSync(partial, path);
}

/**
 * Replaces every TypeScript module in `files` by a link to its compiled copy.
 * Returns false, changing nothing, when some module is not an ES module or a
 * file already has a compiled copy's name (tsx, which handles CommonJS too,
 * then runs in the guest as on the host).
 */
export function precompileTypeScript(
  files: GuestFileSet,
  cache: string,
  /** Called once before the first module the cache does not have is compiled (a progress display says so). */
  beforeCompiling?: () => void,
): boolean {
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
    if (files.has(`${entry.path}${COMPILED_SUFFIX}`)) return false;
  }
  const esbuild = loadEsbuild();
  const directory = join(cache, "compiled");
  mkdirSync(directory, { recursive: true });
  let compiling = false;
  for (const entry of sources) {
    if (entry.type !== "file") continue;
    const source = readFileSync(entry.source, "utf8");
    const root = packageRoot(entry.path);
    const tsconfigPath = root === undefined ? undefined : join(root, "tsconfig.json");
    const tsconfigRaw =
      tsconfigPath !== undefined && existsSync(tsconfigPath) ? readFileSync(tsconfigPath, "utf8") : undefined;
    const key = createHash("sha256")
      .update(`${esbuild.version}\0${entry.path}\0${tsconfigRaw ?? ""}\0external map\0`)
      .update(source)
      .digest("hex");
    const output = join(directory, `${key}.mjs`);
    const map = `${output}.map`;
    const compiledName = `${basename(entry.path)}${COMPILED_SUFFIX}`;
    if (!existsSync(output) || !existsSync(map)) {
      if (!compiling) beforeCompiling?.();
      compiling = true;
      const compiled = esbuild.transformSync(source, {
        loader: "ts",
        format: "esm",
        target: `node${process.versions.node}`,
        sourcemap: "external",
        sourcefile: entry.path,
        ...(tsconfigRaw === undefined ? {} : { tsconfigRaw }),
      });
      writeOnce(map, compiled.map);
      writeOnce(output, `${compiled.code}//# sourceMappingURL=${compiledName}.map\n`);
    }
    files.file(`${entry.path}${COMPILED_SUFFIX}`, output, 0o644);
    files.file(`${entry.path}${COMPILED_SUFFIX}.map`, map, 0o644);
    files.symlink(entry.path, compiledName);
  }
  return true;
}
