// A guest runs TypeScript with no loader: each module is a link to its copy
// compiled on the host. Checked here by laying a package's image files out in a
// directory and running node on them as the guest does, without any hook.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { componentFiles } from "../../../src/enclave/vm/image/component-files.ts";
import { GuestFileSet } from "../../../src/enclave/vm/image/guest-files.ts";
import { imageCacheDirectory } from "../../../src/enclave/vm/image/guest-image.ts";
import { precompileTypeScript } from "../../../src/enclave/vm/image/typescript-precompile.ts";

const ENDLESS = fileURLToPath(new URL("../fixtures/endless.ts", import.meta.url));

function scratch(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-precompile-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A package with a main module, a module it imports, and a data file found relative to the module. */
function writePackage(root: string, type: "module" | "commonjs"): void {
  mkdirSync(join(root, "lib"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "sample", type }));
  writeFileSync(join(root, "data.txt"), "beside the module");
  writeFileSync(
    join(root, "lib", "helper.ts"),
    "export function twice(value: number): number {\n  return 2 * value;\n}\n",
  );
  writeFileSync(
    join(root, "main.ts"),
    [
      'import { readFileSync } from "node:fs";',
      'import { twice } from "./lib/helper.ts";',
      "",
      "interface Report {",
      "  argv1: string | undefined;",
      "  url: string;",
      "  twice: number;",
      "  data: string;",
      "}",
      "const report: Report = {",
      "  argv1: process.argv[1],",
      "  url: import.meta.url,",
      "  twice: twice(21),",
      '  data: readFileSync(new URL("./data.txt", import.meta.url), "utf8"),',
      "};",
      "console.log(JSON.stringify(report));",
      'if (process.argv[2] === "throw") throw new Error("thrown on line 17");',
      "",
    ].join("\n"),
  );
}

/** Writes the file set under `root` as the guest's initramfs would hold it. */
function layOut(files: GuestFileSet, root: string): void {
  for (const entry of files.list()) {
    const path = join(root, entry.path);
    if (entry.type === "directory") mkdirSync(path, { recursive: true });
    else if (entry.type === "file") copyFileSync(entry.source, path);
    else symlinkSync(entry.target, path);
  }
}

function runNode(args: string[]) {
  return spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH } });
}

test("a precompiled module runs under plain node: its imports, argv[1], import.meta.url, and source maps on demand", (t) => {
  const directory = scratch(t);
  const packageRoot = join(directory, "package");
  writePackage(packageRoot, "module");
  const files = new GuestFileSet();
  files.nodePackage(packageRoot);
  assert.equal(precompileTypeScript(files, join(directory, "cache")), true);
  const entries = new Map(files.list().map((entry) => [entry.path, entry]));
  for (const module of ["main.ts", "lib/helper.ts"]) {
    const entry = entries.get(join(packageRoot, module));
    assert.equal(entry?.type, "symlink", `${module} is a link`);
    assert.equal(entry?.type === "symlink" ? entry.target : "", `${module.split("/").pop()}.mjs`);
    assert.equal(entries.get(join(packageRoot, `${module}.mjs`))?.type, "file", `${module} has its compiled copy`);
  }
  const root = join(directory, "guest");
  layOut(files, root);
  const main = join(root, packageRoot, "main.ts");
  assert.ok(lstatSync(main).isSymbolicLink());

  const plain = runNode([main]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout), {
    argv1: main,
    url: `file://${main}.mjs`,
    twice: 42,
    data: "beside the module",
  });

  const withoutMaps = runNode([main, "throw"]);
  assert.equal(withoutMaps.status, 1);
  assert.match(withoutMaps.stderr, /thrown on line 17/);
  assert.match(withoutMaps.stderr, /main\.ts\.mjs:\d+/, "without source maps the trace names the compiled copy");
  const withMaps = runNode(["--enable-source-maps", main, "throw"]);
  assert.equal(withMaps.status, 1);
  assert.match(withMaps.stderr, /main\.ts:17:\d+/, "with source maps the trace names the TypeScript line");
});

test("a package that is not an ES module, or a file with a compiled copy's name, leaves the modules as they are", (t) => {
  const directory = scratch(t);
  const commonjs = join(directory, "commonjs");
  writePackage(commonjs, "commonjs");
  const clashing = join(directory, "clashing");
  writePackage(clashing, "module");
  writeFileSync(join(clashing, "main.ts.mjs"), "export {};\n");
  for (const packageRoot of [commonjs, clashing]) {
    const files = new GuestFileSet();
    files.nodePackage(packageRoot);
    const before = files.list();
    assert.equal(precompileTypeScript(files, join(directory, "cache")), false);
    assert.deepEqual(files.list(), before);
    assert.equal(
      files.list().some((entry) => entry.type === "symlink"),
      false,
    );
  }
});

test("a module's image carries tsx and its esbuild only when its TypeScript is not compiled in advance", () => {
  const launch = { name: "endless", module: ENDLESS, runDirectory: "/nonexistent-run" };
  const carriesTsx = (files: GuestFileSet) =>
    files.list().some((entry) => /\/node_modules\/(tsx|esbuild|@esbuild)(\/|$)/.test(entry.path));
  const compiled = componentFiles(launch, { compileCache: imageCacheDirectory() });
  assert.deepEqual(compiled.argv, [process.execPath, ENDLESS], "no loader");
  assert.equal(carriesTsx(compiled.files), false);
  const uncompiled = componentFiles(launch);
  assert.equal(uncompiled.argv.includes("--import"), true, "tsx is the loader");
  assert.equal(carriesTsx(uncompiled.files), true);
});
