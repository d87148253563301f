import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { moduleSources } from "../../src/record/module-imports.ts";
import { projectRoot } from "../support/child-process.ts";

test("a module's sources are followed through every static relative import form, packages left out", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-imports-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  mkdirSync(join(directory, "lib"));
  const write = (name: string, text: string) => writeFileSync(join(directory, name), text);
  write(
    "main.ts",
    [
      'import { a } from "./a.ts";',
      'import type { B } from "./lib/b.ts";',
      "import {\n  c,\n  d as e,\n} from './lib/c';",
      'import "./side-effect.js";',
      'export * from "./reexport.ts";',
      'const later = await import("./dynamic.ts");',
      'import { z } from "zod";',
      'import { readFileSync } from "node:fs";',
      'import { gone } from "./missing.ts";',
    ].join("\n"),
  );
  write("a.ts", 'import { main } from "./main.ts";\nexport const a = 1;');
  write("lib/b.ts", 'export type B = number;\nimport { c } from "./c.ts";');
  write("lib/c.ts", "export const c = 1, d = 2;");
  write("side-effect.ts", "");
  write("reexport.ts", "");
  write("dynamic.ts", "");
  const found = moduleSources(join(directory, "main.ts")).map((file) => file.slice(directory.length + 1));
  assert.deepEqual(found, ["main.ts", "a.ts", "lib/b.ts", "lib/c.ts", "side-effect.ts", "reexport.ts", "dynamic.ts"]);
});

test("the SDK a module imports as conflux-coupling/component is one of its sources: the built bundle, found as Node finds it", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-imports-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  mkdirSync(join(directory, "node_modules"));
  symlinkSync(projectRoot, join(directory, "node_modules", "conflux-coupling"), "dir");
  writeFileSync(join(directory, "solver.ts"), 'import { Component } from "conflux-coupling/component";\n');
  const found = moduleSources(join(directory, "solver.ts")).map((file) => realpathSync(file));
  assert.deepEqual(found, [
    realpathSync(join(directory, "solver.ts")),
    realpathSync(join(projectRoot, "build/component/sdk.mjs")),
  ]);
});
