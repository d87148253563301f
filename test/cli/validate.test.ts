// `conflux validate` and `conflux schema` as a user runs them: a real child process.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
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

test("conflux validate reads a stack spec a component names, as run does, and names one that is not a spec at its stack key with the spec's own error", (t) => {
  const container = (stack: string) => `enclave: { kind: container, container: { stack: ${stack} } }`;
  const text = VALID.replace("enclave: { kind: process }", container("./unclosed.stack.yaml")).replace(
    "enclave: { kind: thread }",
    container("./misnamed.stack.yaml"),
  );
  const directory = scratchDirectory(t, {
    "conflux.yaml": text,
    "app-a.ts": "",
    "app-b.ts": "",
    "unclosed.stack.yaml": "name: [unclosed\n",
    "misnamed.stack.yaml": "name: 1bad\nrelease: bookworm\npackages: 3\n",
  });
  const file = join(directory, "conflux.yaml");
  const expected = [
    `${file}:5:53: components.appA.enclave.container.stack: stack spec "./unclosed.stack.yaml" is not a stack spec: ${join(directory, "unclosed.stack.yaml")}: not YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1. Fix the spec (its format is in docs/containers.md), or name another.`,
    `${file}:10:53: components.appB.enclave.container.stack: stack spec "./misnamed.stack.yaml" is not a stack spec: ${join(directory, "misnamed.stack.yaml")}: name: a stack name: a letter, then up to 31 letters, digits, "-" or "_"; ${join(directory, "misnamed.stack.yaml")}: packages: Invalid input: expected array, received number. Fix the spec (its format is in docs/containers.md), or name another.`,
  ];
  const validated = conflux("validate", file);
  assert.equal(validated.stdout, "");
  assert.equal(validated.stderr, [...expected, `${file}: 2 problems`, ""].join("\n"));
  assert.equal(validated.code, 2);
  // run refuses them at the same keys, before anything starts: no results directory.
  const results = join(directory, "runs");
  const ran = conflux("run", file, "--results", results);
  assert.equal(ran.code, 2, ran.stderr);
  assert.deepEqual(ran.stderr.split("\n").slice(0, 2), expected);
  assert.equal(existsSync(results), false);
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
