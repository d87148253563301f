// An example copied out of the checkout runs as is: the Python one with no
// path to the client of its own (`conflux run` gives the component its
// conflux's client on PYTHONPATH), the C one built by its Makefile against the
// client of the conflux on PATH (`conflux client c`). Each copy's fields are
// the same bytes as the run in the checkout, and the copy leaves nothing.
import assert from "node:assert/strict";
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { compilerCommand } from "../../src/platform/c-compiler.ts";
import { PACKAGE_NAME } from "../../src/platform/package-root.ts";
import { type RunRecord, readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot } from "../support/child-process.ts";
import { BUBBLEWRAP, C_COMPILER, MAKE, needs, PYTHON } from "../support/requirements.ts";

const CLI = join(projectRoot, "build/cli/main.mjs");
/** Few iterations: what is compared is where the run finds its files, not the physics. */
const ITERATIONS = "20";

/** The environment of a user's shell: this conflux on PATH (as an install puts it), no PYTHONPATH. */
function userEnvironment(bin: string): NodeJS.ProcessEnv {
  const { PYTHONPATH: _ignored, ...rest } = process.env;
  return { ...rest, PATH: `${bin}:${process.env.PATH ?? ""}` };
}

/** Runs a command to its end (killed past two minutes), failing the test with its output when it fails. */
function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 120_000, ...options });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(" ")} (exit ${result.status}, signal ${result.signal}):\n${result.stdout}\n${result.stderr}`,
  );
  return String(result.stdout);
}

interface Workspace {
  directory: string;
  bin: string;
  /** Copies examples/NAME as a user would (no runs, no build products, no caches) into the workspace. */
  copy(name: string): string;
  /** `conflux run` of `composition` into `results`, with the user's environment; the one record it wrote. */
  conflux(composition: string, results: string, cwd: string): RunRecord;
}

/**
 * A directory outside the checkout, with the package linked beside the copies the way `npm install` links it (the
 * TypeScript appA both examples couple with imports it by name) and `conflux` on a PATH of its own. Removed when
 * the test ends, pass or fail.
 */
function workspace(t: TestContext): Workspace {
  const directory = mkdtempSync(join(tmpdir(), "conflux-example-copy-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  mkdirSync(join(directory, "node_modules"));
  symlinkSync(projectRoot, join(directory, "node_modules", PACKAGE_NAME), "dir");
  const bin = join(directory, "bin");
  mkdirSync(bin);
  symlinkSync(join(projectRoot, "bin", "conflux.js"), join(bin, "conflux"));
  return {
    directory,
    bin,
    copy(name) {
      const target = join(directory, name);
      cpSync(join(projectRoot, "examples", name), target, {
        recursive: true,
        filter: (source) => !/(conflux-runs|__pycache__|\/app_a)$/.test(source),
      });
      return target;
    },
    conflux(composition, results, cwd) {
      run(process.execPath, [CLI, "run", composition, "--iterations", ITERATIONS, "--results", results, "--quiet"], {
        cwd,
        env: userEnvironment(bin),
      });
      const [entry, ...more] = readdirSync(results);
      assert.equal(more.length, 0, `one run record in ${results}`);
      const record = readRunRecord(join(results, entry as string));
      assert.equal(record.status, "completed", record.error);
      return record;
    },
  };
}

/** Every output field's bytes, by name. */
function fieldHashes(record: RunRecord): Record<string, string> {
  return Object.fromEntries(record.fields.map((field) => [field.name, field.sha256]));
}

/** Removes the workspace now and checks nothing of it, nor of the runs' shared memory, is left. */
function removeAndCheck(work: Workspace, records: RunRecord[]): void {
  rmSync(work.directory, { recursive: true, force: true });
  assert.equal(existsSync(work.directory), false, "the copy is gone");
  for (const record of records) {
    const left = readdirSync("/dev/shm").filter((name) => name.includes(record.runId));
    assert.deepEqual(left, [], `run ${record.runId} left nothing in /dev/shm`);
  }
}

test(
  "a copy of the Python example runs as is outside the checkout, on its conflux's client, as the example does in it",
  needs(PYTHON),
  (t) => {
    const work = workspace(t);
    const example = work.copy("python-component");
    // Its composition names ../seed-dtk/app-a.ts: the TypeScript appA comes along, at the same place beside it.
    work.copy("seed-dtk");
    const copied = work.conflux(join(example, "conflux.yaml"), join(work.directory, "runs-copy"), work.directory);
    const inCheckout = work.conflux(
      join(projectRoot, "examples/python-component/conflux.yaml"),
      join(work.directory, "runs-checkout"),
      projectRoot,
    );
    assert.deepEqual(fieldHashes(copied), fieldHashes(inCheckout));
    assert.ok(copied.fields.length > 0, "the run saved its fields");
    const client = copied.inputs.filter((input) => input.role === "client source").map((input) => input.path);
    assert.ok(client.length > 0, "the record names the client the script ran on");
    const own = realpathSync(join(projectRoot, "clients/python"));
    for (const path of client) assert.ok(path.startsWith(`${own}/`), `the running conflux's client: ${path}`);
    assert.ok(
      copied.inputs.some((input) => input.role === "program" && input.path === join(example, "app_b.py")),
      "the copy's script ran",
    );
    removeAndCheck(work, [copied, inCheckout]);
  },
);

test(
  "in a container too, a copy of the Python example's script finds its conflux's client, which the container shows",
  needs(PYTHON, BUBBLEWRAP),
  (t) => {
    const work = workspace(t);
    const example = work.copy("python-component");
    work.copy("seed-dtk");
    const file = join(example, "conflux.yaml");
    const inProcess = "  appB:\n    enclave:\n      kind: process\n";
    const text = readFileSync(file, "utf8");
    assert.ok(text.includes(inProcess));
    writeFileSync(file, text.replace(inProcess, "  appB:\n    enclave:\n      kind: container\n"));
    const copied = work.conflux(file, join(work.directory, "runs-copy"), work.directory);
    assert.equal(copied.enclaves.find((enclave) => enclave.component === "appB")?.kind, "container");
    const inCheckout = work.conflux(
      join(projectRoot, "examples/python-component/conflux.yaml"),
      join(work.directory, "runs-checkout"),
      projectRoot,
    );
    assert.deepEqual(fieldHashes(copied), fieldHashes(inCheckout));
    removeAndCheck(work, [copied, inCheckout]);
  },
);

test(
  "a copy of the C example builds with its Makefile against the conflux on PATH and runs as is, as the all-TypeScript seed does in the checkout",
  needs(C_COMPILER, MAKE),
  (t) => {
    const work = workspace(t);
    const example = work.copy("c-component");
    work.copy("seed-dtk");
    const built = run("make", ["-C", example, `CC=${compilerCommand()}`], { env: userEnvironment(work.bin) });
    // The client is the running conflux's, compiled in: nothing built in its directory.
    assert.ok(built.includes(`-I${realpathSync(join(projectRoot, "clients/c"))} `), built);
    const copied = work.conflux(join(example, "conflux.yaml"), join(work.directory, "runs-copy"), work.directory);
    // The C appA is bitwise the TypeScript one (examples/c-component/README.md): the seed example in the checkout.
    const inCheckout = work.conflux(
      join(projectRoot, "examples/seed-dtk/conflux.yaml"),
      join(work.directory, "runs-checkout"),
      projectRoot,
    );
    assert.deepEqual(fieldHashes(copied), fieldHashes(inCheckout));
    assert.ok(copied.fields.length > 0, "the run saved its fields");
    assert.ok(
      copied.inputs.some((input) => input.role === "program" && input.path === join(example, "app_a")),
      "the copy's program ran",
    );
    removeAndCheck(work, [copied, inCheckout]);
  },
);
