// Builds the TypeScript component SDK into one module, build/component/sdk.mjs,
// which `import ... from "conflux/component"` loads (package.json "exports"; its
// types come from src/component/index.ts). A component process then loads one
// module of ours instead of the SDK's 32 sources through the TypeScript loader:
// the sources stay one idea per file, and a component starts faster.
//
// Beside the bundle, sdk-inputs.json lists every source it was built from with
// its size and modification time, so the runner can tell a stale bundle in a
// few stat calls and rebuild it (src/platform/sdk-bundle.ts). Run by
// `npm install` (after the addon), by the test runner, and by that check.
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outputDirectory = join(root, "build", "component");
const bundle = join(outputDirectory, "sdk.mjs");

const result = buildSync({
  entryPoints: [join(root, "src", "component", "index.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outfile: bundle,
  absWorkingDir: root,
  // Node's own modules and npm packages stay imports; ours are inlined. The addon is found from the bundle as
  // from src/native/index.ts: both sit two directories below the package root.
  packages: "external",
  metafile: true,
  legalComments: "none",
  banner: { js: "// Built from src/component/index.ts by scripts/build-sdk.mjs; do not edit." },
  logLevel: "warning",
  // Written below under a temporary name and renamed: a component starting meanwhile reads the old or the new.
  write: false,
});
mkdirSync(outputDirectory, { recursive: true });
for (const file of result.outputFiles) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}

const inputs = Object.keys(result.metafile.inputs)
  .map((path) => join(root, path))
  .sort()
  .map((path) => {
    const stats = statSync(path);
    return { path: relative(root, path), size: stats.size, mtimeMs: stats.mtimeMs };
  });
const listing = join(outputDirectory, "sdk-inputs.json");
writeFileSync(`${listing}.${process.pid}.tmp`, `${JSON.stringify({ bundle: "sdk.mjs", inputs }, null, 1)}\n`);
renameSync(`${listing}.${process.pid}.tmp`, listing);
