import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { elfFacts } from "../../src/record/elf-facts.ts";
import { projectRoot } from "../support/child-process.ts";

test("an executable names its program interpreter; a shared library has none", () => {
  const node = elfFacts(process.execPath);
  assert.match(node?.interpreter ?? "", /\/ld-[\w.-]+\.so\.\d$/);
  const addon = elfFacts(join(projectRoot, "build/Release/conflux_native.node"));
  assert.ok(addon !== undefined);
  assert.equal(addon.interpreter, undefined);
});

test("the compilers named in .comment are read from a file built here", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-elf-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const addon = join(projectRoot, "build/Release/conflux_native.node");
  const facts = elfFacts(addon);
  assert.ok(facts !== undefined, "the native addon is an ELF file");
  assert.ok(
    facts.compilers.some((compiler) => /^(GCC|clang)/i.test(compiler)),
    facts.compilers.join("; "),
  );

  writeFileSync(join(directory, "script.sh"), "#!/bin/sh\necho\n");
  assert.equal(elfFacts(join(directory, "script.sh")), undefined, "not ELF");
  const truncated = readFileSync(process.execPath).subarray(0, 40);
  writeFileSync(join(directory, "truncated"), truncated);
  assert.equal(elfFacts(join(directory, "truncated")), undefined, "too short to be read");
  assert.equal(elfFacts(join(directory, "absent")), undefined);
});
