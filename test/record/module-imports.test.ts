import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { moduleSources } from "../../src/record/module-imports.ts";

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
