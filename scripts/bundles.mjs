// The JavaScript the package runs, built from its TypeScript with esbuild:
//
// - the component SDK, build/component/sdk.mjs: what `import ... from
//   "conflux-coupling/component"` loads (package.json "exports"; its types come from
//   src/component/index.ts). A component process loads one module of ours
//   instead of the SDK's sources through the TypeScript loader. npm packages stay
//   imports; the addon is found from the bundle as from src/native/index.ts, both
//   two directories below the package root.
// - the other public surfaces, build/lib/: mapping.mjs (the transfer operators),
//   record.mjs (run records), compose.mjs (composition files) and seed-demo.mjs
//   (the talk's demonstration's points and stand-in solver, which its example and
//   `conflux bench seed` share): what "conflux-coupling/mapping" and the others
//   load, npm packages and the addon as for the SDK.
// - the command line, build/cli/main.mjs and its chunks: what bin/conflux.js
//   runs, so that a command starts without transpiling anything. Every command's
//   work is a dynamic import (src/cli), split into chunks loaded when the command
//   runs, and npm packages are inlined, which spares the loader hundreds of
//   module resolutions: `conflux --help` loads one small file.
//
// The sources stay one idea per file. Beside each bundle a listing records every
// input with its size, time and hash, so that a stale bundle is told in a few
// stat calls (scripts/bundle-freshness.mjs) and rebuilt.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { fileSha256 } from "./bundle-freshness.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

export const SDK_DIRECTORY = join(root, "build", "component");
export const LIBRARY_DIRECTORY = join(root, "build", "lib");
export const CLI_DIRECTORY = join(root, "build", "cli");

/** The package's public surfaces besides the SDK: the name "conflux-coupling/<name>" exports, and its source. */
export const LIBRARY_ENTRIES = {
  mapping: "src/mapping/index.ts",
  record: "src/record/index.ts",
  compose: "src/compose/index.ts",
  "seed-demo": "src/bench/seed-workload.ts",
};
export const INPUTS_LISTING = "inputs.json";

/** Builds build/component/sdk.mjs and its listing. */
export async function buildSdk() {
  const result = await build({
    entryPoints: [join(root, "src", "component", "index.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: join(SDK_DIRECTORY, "sdk.mjs"),
    absWorkingDir: root,
    packages: "external",
    metafile: true,
    legalComments: "none",
    banner: { js: "// Built from src/component/index.ts by scripts/build.mjs; do not edit." },
    logLevel: "warning",
    write: false,
  });
  writeBuild(SDK_DIRECTORY, ["sdk.mjs"], result);
}

/** Builds build/lib/<surface>.mjs for every entry of LIBRARY_ENTRIES, their shared chunks and the listing. */
export async function buildLibrary() {
  const result = await build({
    entryPoints: Object.entries(LIBRARY_ENTRIES).map(([name, source]) => ({ out: name, in: join(root, source) })),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: LIBRARY_DIRECTORY,
    chunkNames: "[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    absWorkingDir: root,
    packages: "external",
    metafile: true,
    legalComments: "none",
    plugins: [sourceLocations(LIBRARY_DIRECTORY)],
    banner: { js: "// Built from src/ by scripts/build.mjs; do not edit." },
    logLevel: "warning",
    write: false,
  });
  writeBuild(
    LIBRARY_DIRECTORY,
    Object.keys(LIBRARY_ENTRIES).map((name) => `${name}.mjs`),
    result,
  );
}

/** Builds build/cli/main.mjs, its chunks and its listing. */
export async function buildCli() {
  const result = await build({
    entryPoints: [join(root, "src", "cli", "main.ts")],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: CLI_DIRECTORY,
    entryNames: "[name]",
    // Chunks sit beside the entry: every output is one directory below build/, which sourceLocations relies on.
    chunkNames: "[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    absWorkingDir: root,
    metafile: true,
    legalComments: "none",
    plugins: [sourceLocations(CLI_DIRECTORY)],
    // esbuild runs its own native binary, found from its package: it stays an import (conflux report builds
    // the page's chart script with it).
    external: ["esbuild"],
    // Inlined CommonJS packages call require() for Node's own modules, which an ES module has no binding for.
    banner: {
      js: '// Built from src/cli/main.ts by scripts/build.mjs; do not edit.\nimport { createRequire as createRequireForBundle } from "node:module";\nconst require = createRequireForBundle(import.meta.url);',
    },
    logLevel: "warning",
    write: false,
  });
  writeBuild(CLI_DIRECTORY, ["main.mjs"], result);
}

/**
 * The sources find files beside them (workers, C sources, the addon, the package root) through
 * `new URL("./x.ts", import.meta.url)`. In a bundle every module's import.meta.url is the bundle's, so each
 * source's own is put back: its path relative to the output directory, resolved against the bundle's URL,
 * which stays right wherever the package is installed. Workers and component processes still start from
 * the TypeScript sources, through the loader they register themselves.
 */
function sourceLocations(outputDirectory) {
  return {
    name: "source-locations",
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, (args) => {
        // Only the package's own sources: an npm package's import.meta.url is its own business.
        if (!args.path.startsWith(`${join(root, "src")}${sep}`)) return undefined;
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const fromOutput = relative(outputDirectory, args.path).split(sep).join("/");
        const own = `new URL(${JSON.stringify(fromOutput)}, import.meta.url).href`;
        return { contents: text.replace(/\bimport\.meta\.url\b/g, own), loader: "ts" };
      });
    },
  };
}

/**
 * Writes a build's files, then its listing. Each file goes under a temporary name and is renamed, chunks
 * before the entries that import them and the listing last, so that a command starting meanwhile runs the
 * old build or the new one, never half of each. Chunks of earlier builds are swept once they are an hour
 * old: a command that started on one has loaded it by then.
 */
function writeBuild(directory, entries, result) {
  mkdirSync(directory, { recursive: true });
  const isEntry = (file) => entries.includes(basename(file.path));
  const files = [...result.outputFiles].sort((a, b) => Number(isEntry(a)) - Number(isEntry(b)));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  const written = new Set(files.map((file) => file.path));
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (!name.endsWith(".mjs") || written.has(path)) continue;
    if (statSync(path).mtimeMs < hourAgo) rmSync(path, { force: true });
  }
  const inputs = Object.keys(result.metafile.inputs)
    .map((path) => join(root, path))
    .sort()
    .map((path) => {
      const stats = statSync(path);
      return { path: relative(root, path), size: stats.size, mtimeMs: stats.mtimeMs, sha256: fileSha256(path) };
    });
  const listing = join(directory, INPUTS_LISTING);
  writeFileSync(`${listing}.${process.pid}.tmp`, `${JSON.stringify({ bundle: entries[0], inputs }, null, 1)}\n`);
  renameSync(`${listing}.${process.pid}.tmp`, listing);
}
