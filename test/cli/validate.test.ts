// `conflux validate` and `conflux schema` as a user runs them: a real child process.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { compositionJsonSchema } from "../../src/compose/index.ts";
import { scratchDirectory, VALID } from "../compose/compositions.ts";
import { runConflux } from "../support/run-conflux.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

function conflux(...args: string[]) {
  return runConflux(args, root, 60_000);
}

test("conflux validate accepts a valid file with exit code 0 and a summary", (t) => {
  const directory = scratchDirectory(t, { "conflux.yaml": VALID, "app-a.ts": "", "app-b.ts": "" });
  const file = join(directory, "conflux.yaml");
  const result = conflux("validate", file);
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, `${file}: valid (2 components, 2 transfers, 5 iterations)\n`);
  assert.equal(result.code, 0);
});

test("conflux validate lists every problem with exit code 2 and no stack trace", (t) => {
  const text = VALID.replace("kind: process", "kind: proces").replace(
    "    module: ./app-b.ts",
    "    modul: ./app-b.ts",
  );
  const directory = scratchDirectory(t, { "conflux.yaml": text, "app-a.ts": "" });
  const file = join(directory, "conflux.yaml");
  const result = conflux("validate", file);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    [
      `${file}:5:22: components.appA.enclave.kind: expected one of thread, process, container, vm, got "proces". Did you mean "process"?`,
      `${file}:11:5: components.appB.modul: unknown key "modul". Did you mean "module"?`,
      `${file}: 2 problems`,
      "",
    ].join("\n"),
  );
  assert.equal(result.code, 2);
});

test("conflux validate --json reports problems as data", (t) => {
  const directory = scratchDirectory(t, {
    "conflux.yaml": VALID.replace("to: appB.surface.temperature", "to: appC.surface.temperature"),
  });
  const result = conflux("validate", "--json", "--no-check-files", join(directory, "conflux.yaml"));
  assert.equal(result.code, 2);
  const report = JSON.parse(result.stdout) as {
    valid: boolean;
    problems: { line: number; column: number; path: string }[];
  };
  assert.equal(report.valid, false);
  assert.deepEqual(
    report.problems.map(({ line, column, path }) => ({ line, column, path })),
    [{ line: 16, column: 9, path: "transfers[0].to" }],
  );
});

test("conflux validate on a missing file exits with code 2", () => {
  const result = conflux("validate", "no-such-directory/conflux.yaml");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^no-such-directory\/conflux\.yaml: cannot read the composition file \(no such file\)\./);
});

test("conflux schema prints the JSON Schema, and --out writes it", (t) => {
  const printed = conflux("schema");
  assert.equal(printed.code, 0);
  assert.deepEqual(JSON.parse(printed.stdout), JSON.parse(JSON.stringify(compositionJsonSchema())));
  const directory = scratchDirectory(t, {});
  const out = join(directory, "composition.schema.json");
  const written = conflux("schema", "--out", out);
  assert.equal(written.code, 0);
  assert.equal(readFileSync(out, "utf8"), printed.stdout);
});
