// The command line runs its JavaScript build (scripts/bundles.mjs): `conflux
// --help` loads a small part of it, a command loads its own work and no
// TypeScript, and a checkout whose sources changed since the build is rebuilt
// before it runs, or, when it cannot be, run from the sources with a warning.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { projectRoot } from "../support/child-process.ts";

const IMPORT_LOG = fileURLToPath(new URL("../support/import-log.mjs", import.meta.url));

function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-built-cli-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** Runs bin/conflux.js of the package at `root`, and the URLs of the package's own files it loaded. */
function conflux(root: string, log: string, args: string[]) {
  writeFileSync(log, "");
  const result = spawnSync(process.execPath, ["--import", IMPORT_LOG, join(root, "bin", "conflux.js"), ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    env: { ...process.env, CONFLUX_IMPORT_LOG: log },
  });
  const ours = pathToFileURL(root).href;
  const loaded = readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url.startsWith(ours) && !url.includes("/node_modules/"))
    .map((url) => url.slice(ours.length).replace(/^\//, ""));
  return { ...result, loaded: [...new Set(loaded)] };
}

test("conflux --help loads a small part of the build, validate its own chunks beside, never a TypeScript source", (t) => {
  const log = join(scratchDirectory(t), "imports.log");
  const help = conflux(projectRoot, log, ["--help"]);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /validate \[options\] <file>/);
  assert.ok(help.loaded.includes("build/cli/main.mjs"), "it ran the build");
  assert.deepEqual(
    help.loaded.filter((path) => path.endsWith(".ts")),
    [],
  );
  // The entry and what it imports statically: commands' declarations and the few constants they show. A
  // command file that imported its work statically would pull a layer and its packages in here.
  const directory = join(projectRoot, "build", "cli");
  const built = readdirSync(directory).filter((name) => name.endsWith(".mjs"));
  const bytes = (names: readonly string[]) =>
    names.reduce((sum, name) => sum + statSync(join(directory, name)).size, 0);
  const helpChunks = help.loaded.filter((path) => path.startsWith("build/cli/")).map((path) => basename(path));
  assert.ok(
    bytes(helpChunks) < bytes(built) / 10,
    `--help loaded ${bytes(helpChunks)} of the build's ${bytes(built)} bytes: ${helpChunks.join(", ")}`,
  );

  const validate = conflux(projectRoot, log, ["validate", "examples/seed-dtk/conflux.yaml"]);
  assert.equal(validate.status, 0, validate.stderr);
  assert.match(validate.stdout, /valid \(2 components, 2 transfers, 500 iterations\)/);
  assert.deepEqual(
    validate.loaded.filter((path) => path.endsWith(".ts")),
    [],
  );
  const validateChunks = validate.loaded.filter((path) => path.startsWith("build/cli/")).map((path) => basename(path));
  for (const chunk of helpChunks) assert.ok(validateChunks.includes(chunk), `validate did not load ${chunk}`);
  assert.ok(validateChunks.length > helpChunks.length, "validate's work is in chunks of its own");
  assert.ok(
    bytes(validateChunks) < bytes(built) / 2,
    `validate loaded most of the build: ${validateChunks.join(", ")}`,
  );
});

/** A copy of the package's own files (its node_modules and addon shared), so that its sources can change. */
function packageCopy(t: TestContext): { root: string; log: string } {
  const scratch = scratchDirectory(t);
  const root = join(scratch, "package");
  for (const part of ["bin", "scripts", "src", "build/cli", "package.json"]) {
    cpSync(join(projectRoot, part), join(root, part), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(join(projectRoot, "node_modules"), join(root, "node_modules"), "dir");
  symlinkSync(join(projectRoot, "build", "Release"), join(root, "build", "Release"), "dir");
  return { root, log: join(scratch, "imports.log") };
}

test("a changed source is built before the command runs; the copy's times alone change nothing", (t) => {
  const { root, log } = packageCopy(t);
  // cpSync keeps the times here; an install would not, and the hashes say the build is still the sources'.
  const listing = join(root, "build", "cli", "inputs.json");
  const before = readFileSync(listing, "utf8");
  const unchanged = conflux(root, log, ["--help"]);
  assert.equal(unchanged.status, 0, unchanged.stderr);
  assert.equal(readFileSync(listing, "utf8"), before, "an unchanged build is not rebuilt");

  const description = "check a composition file and report every problem with its line and column; starts nothing";
  const source = join(root, "src", "cli", "validate.ts");
  writeFileSync(source, readFileSync(source, "utf8").replace(description, "CHANGED: a description since the build"));
  const changed = conflux(root, log, ["validate", "--help"]);
  assert.equal(changed.status, 0, changed.stderr);
  assert.match(changed.stdout, /CHANGED: a description since the build/);
  assert.equal(changed.stderr, "");
  assert.notEqual(readFileSync(listing, "utf8"), before, "the listing is the new build's");
  assert.deepEqual(
    changed.loaded.filter((path) => path.endsWith(".ts")),
    [],
    "it ran the new build, not the sources",
  );
});

test("when the build cannot be written, the command runs from its sources and says so", (t) => {
  const { root, log } = packageCopy(t);
  const source = join(root, "src", "cli", "validate.ts");
  appendFileSync(source, "// changed since the build\n");
  // A file where the build's directory should be: nothing can be written there.
  rmSync(join(root, "build", "cli"), { recursive: true });
  writeFileSync(join(root, "build", "cli"), "not a directory\n");
  const result = conflux(root, log, ["validate", "examples/seed-dtk/conflux.yaml"]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /valid \(2 components/);
  assert.match(
    result.stderr,
    /the built command line is out of date \(it has not been built\) and could not be rebuilt/,
  );
  assert.match(result.stderr, /scripts\/build\.mjs cli/);
  assert.ok(result.loaded.includes("src/cli/main.ts"), "it ran the sources");
});
