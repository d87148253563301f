// Static C programs built on first use, cached by the hash of their sources:
// built once, reused, rebuilt (and the old build removed) when a source
// changes, and a build failure said in words that name the fix.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { staticProgram } from "../../src/platform/static-program.ts";
import { C_COMPILER, needs } from "../support/requirements.ts";

test("a static program is built once, reused, and rebuilt when its source changes", needs(C_COMPILER), (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-static-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const source = join(directory, "answer.c");
  const spec = {
    name: "answer",
    purpose: "the answer",
    sources: [source],
    flags: ["-O2"],
    directory: join(directory, "bin"),
  };
  writeFileSync(source, "int main(void) { return 42; }\n");
  const first = staticProgram(spec);
  assert.equal(spawnSync(first).status, 42);
  const file = spawnSync("file", ["-b", first], { encoding: "utf8" });
  if (file.status === 0) assert.match(file.stdout, /statically linked/);
  const builtAt = statSync(first).mtimeMs;
  assert.equal(staticProgram(spec), first, "the same sources give the same program");
  assert.equal(statSync(first).mtimeMs, builtAt, "and it is not built again");
  writeFileSync(source, "int main(void) { return 7; }\n");
  const second = staticProgram(spec);
  assert.notEqual(second, first);
  assert.equal(spawnSync(second).status, 7);
  assert.equal(existsSync(first), true, "a recent build of other sources stays: another checkout may use it");
  const hoursAgo = new Date(Date.now() - 2 * 3600_000);
  utimesSync(first, hoursAgo, hoursAgo);
  writeFileSync(source, "int main(void) { return 9; }\n");
  const third = staticProgram(spec);
  assert.equal(existsSync(first), false, "an old build of other sources is removed");
  assert.deepEqual(readdirSync(spec.directory).sort(), [second, third].map((path) => basename(path)).sort());
});

test("a source that does not compile is reported with the compiler's words", needs(C_COMPILER), (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-static-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const source = join(directory, "broken.c");
  writeFileSync(source, "int main(void) { return missing_symbol; }\n");
  assert.throws(
    () => staticProgram({ name: "broken", purpose: "the broken program", sources: [source], flags: [], directory }),
    /cannot build the broken program \(cc -static\): [\s\S]*broken\.c:1:\d+: error: .*missing_symbol/,
  );
  assert.deepEqual(readdirSync(directory), ["broken.c"], "no partial build is left");
});

test("without a C compiler the message names the packages to install", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-static-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const source = join(directory, "any.c");
  writeFileSync(source, "int main(void) { return 0; }\n");
  const path = process.env.PATH;
  process.env.PATH = directory; // nothing called cc here
  t.after(() => {
    process.env.PATH = path;
  });
  assert.throws(
    () => staticProgram({ name: "any", purpose: "a program", sources: [source], flags: [], directory }),
    /there is no C compiler \(\$CC, cc, gcc or clang\) on PATH; .*apt-get install -y gcc libc6-dev/,
  );
});
