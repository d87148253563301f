import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CompositionError, formatProblem, loadComposition, parseComposition } from "../../src/compose/index.ts";
import { scratchDirectory, VALID } from "./compositions.ts";

function problemsOfFile(path: string, options?: { checkFiles?: boolean }): string[] {
  try {
    loadComposition(path, options);
    return [];
  } catch (error) {
    if (!(error instanceof CompositionError)) throw error;
    return error.problems.map(formatProblem);
  }
}

test("a valid file loads with every default filled in and paths made absolute", (t) => {
  const directory = scratchDirectory(t, { "conflux.yaml": VALID, "app-a.ts": "", "app-b.ts": "" });
  const file = join(directory, "conflux.yaml");
  const composition = loadComposition(file);
  assert.equal(composition.source, file);
  assert.equal(composition.name, "pair");
  assert.deepEqual(Object.keys(composition.components), ["appA", "appB"]);
  const appA = composition.components.appA;
  assert.ok(appA);
  assert.equal(appA.module, join(directory, "app-a.ts"));
  assert.deepEqual(appA.enclave, { kind: "process" });
  assert.deepEqual(appA.env, {});
  assert.deepEqual(appA.args, {});
  assert.deepEqual(appA.meshes.surface, {
    dimension: 3,
    points: 100,
    layout: "soa",
    fields: ["temperature", "flux"],
  });
  assert.deepEqual(composition.transfers[0]?.operator, { method: "nearest", conservative: false });
  assert.deepEqual(composition.transfers[1]?.operator, {
    method: "rbf-pu",
    kernel: "wendland-c2",
    radius: 0.3,
    conservative: false,
  });
  assert.deepEqual(composition.coupling, {
    scheme: "serial-explicit",
    iterations: 5,
    order: ["appA", "appB"],
    timeouts: { startup_ms: 30000, step_ms: 10000 },
    wait: { strategy: "hybrid", spin_us: 1000 },
    threads: "all",
    check_finite: true,
  });
  assert.deepEqual(composition.results, { directory: join(directory, "conflux-runs"), outputs: [] });
});

test("container and vm enclaves get their options' defaults", () => {
  const text = VALID.replace("enclave: { kind: process }", "enclave: { kind: container, cpus: [0, 1] }").replace(
    "enclave: { kind: thread }",
    "enclave: { kind: vm, vm: { memory_mib: 512 } }",
  );
  const composition = parseComposition(text, "conflux.yaml");
  assert.deepEqual(composition.components.appA?.enclave, {
    kind: "container",
    cpus: [0, 1],
    container: { runtime: "bubblewrap", network: false },
  });
  assert.deepEqual(composition.components.appB?.enclave, {
    kind: "vm",
    vm: { memory_mib: 512, cpus: 1, accel: "auto" },
  });
});

test("a command's program is resolved against the file when it is a path, and left to PATH otherwise", () => {
  const text = VALID.replace("module: ./app-a.ts", "command: [./bin/app-a, --fast]")
    .replace("module: ./app-b.ts", "command: [python3, app_b.py]")
    .replace("enclave: { kind: thread }", "enclave: { kind: process }");
  const composition = parseComposition(text, "/somewhere/conflux.yaml");
  assert.deepEqual(composition.components.appA?.command, ["/somewhere/bin/app-a", "--fast"]);
  assert.deepEqual(composition.components.appB?.command, ["python3", "app_b.py"]);
});

test("a module or program that does not exist is named, with where it was looked for", (t) => {
  const text = VALID.replace("module: ./app-b.ts", "command: [./bin/app-b]").replace(
    "enclave: { kind: thread }",
    "enclave: { kind: process }",
  );
  const directory = scratchDirectory(t, { "conflux.yaml": text });
  const file = join(directory, "conflux.yaml");
  assert.deepEqual(problemsOfFile(file), [
    `${file}:6:13: components.appA.module: module "./app-a.ts" does not exist. Looked for ${join(directory, "app-a.ts")}; relative paths start from the composition file's directory.`,
    `${file}:11:15: components.appB.command[0]: program "./bin/app-b" does not exist. Looked for ${join(directory, "bin/app-b")}; relative paths start from the composition file's directory.`,
  ]);
  assert.deepEqual(problemsOfFile(file, { checkFiles: false }), []);
});

test("an unreadable file is one problem without a position", () => {
  const missing = join("no-such-directory", "conflux.yaml");
  assert.deepEqual(problemsOfFile(missing), [`${missing}: cannot read the composition file (no such file).`]);
});

test("the error's message lists every problem and their count", () => {
  const text = VALID.replace("kind: process", "kind: proces").replace("iterations: 5", "iterations: 0");
  assert.throws(
    () => parseComposition(text, "conflux.yaml"),
    (error: unknown) => {
      assert.ok(error instanceof CompositionError);
      assert.equal(error.problems.length, 2);
      assert.deepEqual(error.problems[0], {
        file: "conflux.yaml",
        line: 5,
        column: 22,
        path: "components.appA.enclave.kind",
        message: 'expected one of thread, process, container, vm, got "proces"',
        hint: 'Did you mean "process"?',
      });
      assert.equal(error.message.split("\n").at(-1), "2 problems in conflux.yaml");
      return true;
    },
  );
});

test("a stack named by its spec file is resolved against the file, a missing spec is named, and a stack neither name nor spec is refused", (t) => {
  const container = (stack: string) =>
    VALID.replace("enclave: { kind: process }", `enclave: { kind: container, container: { stack: ${stack} } }`);
  const directory = scratchDirectory(t, {
    "conflux.yaml": container("./stacks/numpy1.stack.yaml"),
    "app-a.ts": "",
    "app-b.ts": "",
  });
  const file = join(directory, "conflux.yaml");
  assert.deepEqual(problemsOfFile(file), [
    `${file}:5:53: components.appA.enclave.container.stack: stack spec "./stacks/numpy1.stack.yaml" does not exist. Looked for ${join(directory, "stacks/numpy1.stack.yaml")}; relative paths start from the composition file's directory.`,
  ]);
  const parsed = parseComposition(container("./stacks/numpy1.stack.yaml"), "/somewhere/conflux.yaml");
  const enclave = parsed.components.appA?.enclave;
  assert.equal(
    enclave?.kind === "container" ? enclave.container?.stack : undefined,
    "/somewhere/stacks/numpy1.stack.yaml",
  );
  const named = parseComposition(container("numpy1"), "/somewhere/conflux.yaml").components.appA?.enclave;
  assert.equal(named?.kind === "container" ? named.container?.stack : undefined, "numpy1");
  assert.throws(
    () => parseComposition(container("'numpy 1'"), "conflux.yaml"),
    /components\.appA\.enclave\.container\.stack: .*a stack name \(.*\) or the path of its spec file \(ending in \.yaml or \.yml\)/,
  );
});
