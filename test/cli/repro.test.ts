// conflux repro verify|export and the run record they read, on real runs of
// the seed demonstration (a few iterations, two process enclaves), each in a
// scratch directory removed when its test ends. Each test gives its runs a
// shared-memory root of its own, so it can check that its runs left nothing
// there and so it never disturbs another test's view of /dev/shm.
import assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { findExecutable } from "../../src/platform/executable.ts";
import { readRunRecord, sha256 } from "../../src/record/run-record.ts";
import { compileWithClient } from "../clients/toolchain.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { C_COMPILER, needs, PYTHON, pythonCommand } from "../support/requirements.ts";

const SEED = join(projectRoot, "examples/seed-dtk");
/** The talk's work, which the seed example's components run. */
const WORKLOAD = join(projectRoot, "src/bench/seed-workload.ts");
const ITERATIONS = "4";

function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-repro-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/**
 * The seed example's files and its workload in `directory`, a project of its own that depends on this
 * checkout as a user's does (node_modules/conflux-coupling), for the SDK ("conflux-coupling/component").
 */
function copySeedExample(directory: string): string {
  mkdirSync(join(directory, "node_modules"), { recursive: true });
  symlinkSync(projectRoot, join(directory, "node_modules", "conflux-coupling"), "dir");
  writeFileSync(join(directory, "seed-workload.ts"), readFileSync(WORKLOAD));
  for (const file of ["app-a.ts", "app-b.ts", "run-seed-app.ts", "conflux.yaml"]) {
    const text = readFileSync(join(SEED, file), "utf8")
      .replaceAll('"conflux-coupling/seed-demo"', '"./seed-workload.ts"')
      .replaceAll('"../../src/', `"${join(projectRoot, "src")}/`);
    writeFileSync(join(directory, file), text);
  }
  return join(directory, "conflux.yaml");
}

/** The conflux command line for one test: its runs keep their segments under `shm`. */
function commandLine(t: TestContext) {
  const shm = scratchDirectory(t);
  const cli = (args: string[]) => runToEnd(startCli(t, args, { CONFLUX_SHM_ROOT: shm }));
  return {
    cli,
    verify: (directory: string) => cli(["repro", "verify", directory, "--quiet"]),
    async run(composition: string, results: string): Promise<string> {
      const before = new Set(safeList(results));
      const ran = await cli(["run", composition, "--iterations", ITERATIONS, "--results", results, "--quiet"]);
      assert.equal(ran.code, 0, ran.stderr);
      const made = safeList(results).filter((entry) => !before.has(entry));
      assert.equal(made.length, 1, `one new record in ${results}: ${made.join(", ")}`);
      return join(results, made[0] as string);
    },
    /** Every run of the test removed its segments. */
    assertClean() {
      assert.deepEqual(readdirSync(shm), [], "no run left its segments behind");
    },
  };
}

function safeList(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

test("a composition run twice gives bitwise identical outputs, verify replays it, inspect and export describe it", async (t) => {
  const conflux = commandLine(t);
  const results = scratchDirectory(t);
  const first = await conflux.run(join(SEED, "conflux.yaml"), results);
  const second = await conflux.run(join(SEED, "conflux.yaml"), results);
  const a = readRunRecord(first);
  const b = readRunRecord(second);
  assert.deepEqual(
    a.fields.map((field) => [field.name, field.sha256]),
    b.fields.map((field) => [field.name, field.sha256]),
    "the same outputs, bit for bit",
  );

  // What the record holds about where the run ran.
  assert.equal(a.version, 2);
  assert.equal(a.composition.file, join(SEED, "conflux.yaml"));
  assert.deepEqual(
    a.seeds.filter((seed) => seed.source === "args.seed").map((seed) => [seed.component, seed.value]),
    [
      ["appA", 1],
      ["appB", 2],
    ],
  );
  for (const role of ["composition", "module", "module source"]) {
    assert.ok(
      a.inputs.some((input) => input.role === role && input.sha256 !== undefined),
      `an input of role ${role}`,
    );
  }
  // The example imports the demonstration's workload by the package's name: its built module is a source.
  const demo = join(projectRoot, "build/lib/seed-demo.mjs");
  const workload = a.inputs.find((input) => input.path === demo);
  assert.equal(workload?.sha256, sha256(readFileSync(demo)), "module sources are followed and hashed");
  for (const enclave of [...a.enclaves, { component: "driver", environment: a.driver.environment }]) {
    const environment = enclave.environment;
    assert.ok(environment !== undefined, `${enclave.component} has its environment`);
    assert.equal(environment.executable?.path, process.execPath);
    assert.equal(environment.runtime?.versions.node, process.versions.node);
    assert.ok(environment.cpu.flags.length > 0, "CPU flags");
    const libc = environment.libraries.find((file) => file.path === environment.libc.path);
    assert.ok(libc?.sha256 !== undefined, `${enclave.component}: the loaded C library is hashed`);
    assert.ok(
      environment.libraries.every((file) => !file.path.startsWith("/dev/")),
      "shared-memory segments are not libraries",
    );
  }
  for (const field of a.fields) assert.equal(sha256(readFileSync(join(first, field.file))), field.sha256);
  assert.ok(a.timing.wallMs > 0 && a.timing.loopMs !== undefined);

  const inspected = await conflux.cli(["inspect", first]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /appA: process enclave, pid \d+, exit code 0\n {4}node \S+, glibc [\d.]+, Linux /);
  assert.match(inspected.stdout, /seeds: appA args\.seed=1, appB args\.seed=2/);
  assert.match(inspected.stdout, /files: the composition copy and every field match their hashes/);

  const verified = await conflux.verify(first);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /appB\.surface\.temperature +relative 1e-12 +identical/);
  assert.match(verified.stdout, /appA\.surface\.coordinates +bitwise +identical/);
  assert.match(verified.stdout, /result: reproduced — 6 of 6 outputs bitwise identical/);
  const replayDirectory = /its record: (.+)$/m.exec(verified.stdout)?.[1] ?? "";
  assert.equal(join(replayDirectory, ".."), results, "the replay's record lies beside the original");
  const replay = readRunRecord(replayDirectory);
  assert.equal(replay.replayOf?.runId, a.runId);
  assert.equal(replay.verification?.outcome, "reproduced");

  const crate = join(scratchDirectory(t), "crate");
  const exported = await conflux.cli([
    "repro",
    "export",
    first,
    "--out",
    crate,
    "--agent",
    "https://orcid.org/0000-0002-1825-0097",
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  checkWorkflowRunCrate(crate, a.runId);
  conflux.assertClean();
});

/** The crate conforms to the profile's structure and every file in it is the one the record names. */
function checkWorkflowRunCrate(crate: string, runId: string): void {
  const metadata = JSON.parse(readFileSync(join(crate, "ro-crate-metadata.json"), "utf8")) as {
    "@context": unknown[];
    "@graph": Record<string, unknown>[];
  };
  assert.equal(metadata["@context"][0], "https://w3id.org/ro/crate/1.1/context");
  const entities = new Map(metadata["@graph"].map((entity) => [entity["@id"] as string, entity]));
  const id = (value: unknown) => (value as { "@id": string })["@id"];
  const ids = (value: unknown) => (value as { "@id": string }[]).map(id);
  const types = (entity: Record<string, unknown> | undefined) => [entity?.["@type"]].flat();

  assert.equal(id(entities.get("ro-crate-metadata.json")?.about), "./");
  const root = entities.get("./") as Record<string, unknown>;
  for (const profile of [
    "https://w3id.org/ro/wfrun/process/0.5",
    "https://w3id.org/ro/wfrun/workflow/0.5",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
  ]) {
    assert.ok(ids(root.conformsTo).includes(profile), `conforms to ${profile}`);
    assert.equal(types(entities.get(profile))[0], "CreativeWork");
  }
  const workflow = entities.get(id(root.mainEntity));
  assert.deepEqual(types(workflow), ["File", "SoftwareSourceCode", "ComputationalWorkflow"]);
  const action = entities.get(`#run-${runId}`) as Record<string, unknown>;
  assert.deepEqual(ids(root.mentions), [`#run-${runId}`]);
  assert.equal(action["@type"], "CreateAction");
  assert.equal(id(action.instrument), id(root.mainEntity));
  assert.equal(id(action.agent), "https://orcid.org/0000-0002-1825-0097");
  assert.ok(
    !Number.isNaN(Date.parse(action.startTime as string)) && !Number.isNaN(Date.parse(action.endTime as string)),
  );
  const results = ids(action.result);
  assert.equal(results.length, 6);
  for (const result of results) {
    const parameter = entities.get(id(entities.get(result)?.exampleOfWork));
    assert.equal(parameter?.["@type"], "FormalParameter");
    assert.ok(ids(workflow?.output).includes(parameter?.["@id"] as string), "each result realises a workflow output");
  }
  const objects = ids(action.object).filter((object) => types(entities.get(object)).includes("File"));
  assert.ok(
    objects.some((object) => object.endsWith("/seed-demo.mjs")),
    "module sources are in the crate",
  );

  // Every file of the crate is described, and described truly; every reference resolves.
  const described = ids(root.hasPart);
  const onDisk = listFiles(crate).filter((file) => file !== "ro-crate-metadata.json");
  assert.deepEqual([...described].sort(), onDisk.sort());
  for (const file of described) {
    const entity = entities.get(file) as Record<string, unknown>;
    const bytes = readFileSync(join(crate, file));
    assert.equal(entity.sha256, sha256(bytes), `${file}: sha256`);
    assert.equal(entity.contentSize, String(bytes.byteLength), `${file}: contentSize`);
  }
  const references = JSON.stringify(metadata["@graph"]).matchAll(/\{"@id":"([^"]+)"\}/g);
  for (const [, reference] of references) {
    // schema.org terms and the RO-Crate specification itself are well known, not entities of the crate.
    if (reference?.startsWith("http://schema.org/") || reference?.startsWith("https://w3id.org/ro/crate/")) continue;
    assert.ok(entities.has(reference as string), `the reference ${reference} names an entity of the crate`);
  }
}

function listFiles(directory: string, prefix = ""): string[] {
  return readdirSync(join(directory, prefix)).flatMap((entry) => {
    const path = prefix === "" ? entry : `${prefix}/${entry}`;
    return statSync(join(directory, path)).isDirectory() ? listFiles(directory, path) : [path];
  });
}

test("a changed module makes verify fail, naming the outputs that differ and the input that changed", async (t) => {
  const conflux = commandLine(t);
  const example = scratchDirectory(t);
  const composition = copySeedExample(example);
  const recorded = await conflux.run(composition, join(example, "runs"));
  const module = join(example, "seed-workload.ts");
  const text = readFileSync(module, "utf8");
  assert.match(text, / 0\.1 \* /);
  writeFileSync(module, text.replace(" 0.1 * ", " 0.2 * "));

  const verified = await conflux.verify(recorded);
  assert.equal(verified.code, 1, verified.stdout + verified.stderr);
  assert.match(
    verified.stdout,
    /appB\.surface\.temperature +relative 1e-12 +DIFFERS: \d+ of 3000 values are beyond relative 1e-12; largest at point \d+/,
  );
  assert.match(verified.stdout, /appA\.surface\.flux +relative 1e-12 +DIFFERS/);
  assert.match(verified.stdout, /appA\.surface\.coordinates +bitwise +identical/);
  assert.match(verified.stdout, new RegExp(`appA: input ${module.replaceAll(".", "\\.")} \\(module source\\) changed`));
  assert.match(verified.stdout, /result: NOT REPRODUCED — \d of 6 outputs differ: .*appA\.surface\.flux/);
  conflux.assertClean();
});

test("verify replays the record's copy of the composition and says when the file changed or moved", async (t) => {
  const conflux = commandLine(t);
  const example = scratchDirectory(t);
  const composition = copySeedExample(example);
  const recorded = await conflux.run(composition, join(example, "runs"));
  writeFileSync(composition, readFileSync(composition, "utf8").replace("seed: 1,", "seed: 7,"));

  const changed = await conflux.verify(recorded);
  assert.equal(changed.code, 0, changed.stdout + changed.stderr);
  assert.match(
    changed.stdout,
    /note: the composition file .*conflux\.yaml has changed since the run; replaying the record's copy/,
  );
  assert.match(changed.stdout, /result: reproduced/);

  unlinkSync(composition);
  const moved = await conflux.verify(recorded);
  assert.equal(moved.code, 0, moved.stdout + moved.stderr);
  assert.match(moved.stdout, /note: the composition file .*conflux\.yaml is gone; replaying the record's copy/);

  unlinkSync(join(example, "app-b.ts"));
  const missing = await conflux.verify(recorded);
  assert.equal(missing.code, 3, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /the replay cannot start:\n.*module "\.\/app-b\.ts" does not exist/);
  conflux.assertClean();
});

test(
  "the Python and C clients a component runs on are inputs of the run: a changed client makes verify fail",
  needs(PYTHON, C_COMPILER),
  async (t) => {
    const conflux = commandLine(t);
    const example = scratchDirectory(t);
    // A Python component on a copy of the client, and a C component linked with the client.
    mkdirSync(join(example, "client"));
    cpSync(join(projectRoot, "clients/python/conflux/__init__.py"), join(example, "client/conflux.py"));
    cpSync(join(projectRoot, "test/cli/fixtures/plate.py"), join(example, "plate.py"));
    writeFileSync(join(example, "plate.txt"), "1\n");
    const binary = compileWithClient(example, "kill_target", ["test/coupling/fixtures/kill_target.c"]);
    const python = findExecutable(pythonCommand() as string) ?? "/usr/bin/python3";
    const composition = join(example, "clients.yaml");
    writeFileSync(
      composition,
      [
        "version: 1",
        "name: clients",
        "components:",
        "  plate:",
        `    command: [${python}, plate.py]`,
        '    env: { PYTHONPATH: client, PYTHONDONTWRITEBYTECODE: "1", CONFLUX_NO_NUMPY: "1" }',
        "    meshes: { plate: { dimension: 1, points: 1, fields: [value] } }",
        "  native:",
        `    command: [${binary}]`,
        "    args: { points: 4 }",
        "    meshes: { surface: { dimension: 3, points: 4, fields: [out, in] } }",
        "coupling: { iterations: 3, order: [plate, native] }",
        "",
      ].join("\n"),
    );
    const recorded = await conflux.run(composition, join(example, "runs"));
    const inputs = readRunRecord(recorded).inputs.filter((input) => input.role === "client source");
    assert.deepEqual(
      inputs.map((input) => [input.component, input.path]),
      [
        ["plate", join(example, "client/conflux.py")],
        ["native", join(projectRoot, "clients/c/conflux.c")],
        ["native", join(projectRoot, "clients/c/conflux.h")],
      ],
    );
    assert.ok(inputs.every((input) => input.sha256 !== undefined));

    // A change that leaves every output as it was: still another client, so not a reproduction.
    writeFileSync(
      join(example, "client/conflux.py"),
      `${readFileSync(join(example, "client/conflux.py"), "utf8")}\n# changed\n`,
    );
    const verified = await conflux.verify(recorded);
    assert.equal(verified.code, 1, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /plate: input .*client\/conflux\.py \(client source\) changed/);
    assert.match(verified.stdout, /result: NOT REPRODUCED — the outputs match, but 1 of the run's input files changed/);
    conflux.assertClean();
  },
);

test("a record whose files were altered is caught by its hashes, naming the file", async (t) => {
  const conflux = commandLine(t);
  const results = scratchDirectory(t);
  const original = await conflux.run(join(SEED, "conflux.yaml"), results);
  const copies = scratchDirectory(t);

  const flipped = join(copies, "flipped");
  cpSync(original, flipped, { recursive: true });
  const field = join(flipped, "fields", "appA.surface.flux.f64");
  const bytes = readFileSync(field);
  bytes[100] = (bytes[100] as number) ^ 0x01;
  writeFileSync(field, bytes);
  const caught = await conflux.verify(flipped);
  assert.equal(caught.code, 1);
  assert.match(caught.stdout, /fields\/appA\.surface\.flux\.f64 has sha256 [0-9a-f]{64}, the record says [0-9a-f]{64}/);
  assert.match(caught.stdout, /not replayed/);
  assert.equal(readdirSync(copies).length, 1, "nothing was replayed beside it");
  const inspected = await conflux.cli(["inspect", flipped]);
  assert.match(inspected.stdout, /files: ALTERED since the run:\n {2}fields\/appA\.surface\.flux\.f64/);
  const exported = await conflux.cli(["repro", "export", flipped, "--out", join(copies, "crate")]);
  assert.equal(exported.code, 1);
  assert.match(exported.stderr, /fields\/appA\.surface\.flux\.f64 has sha256/);
  assert.deepEqual(readdirSync(copies), ["flipped"], "no crate for an altered record");

  const edited = join(copies, "edited");
  cpSync(original, edited, { recursive: true });
  const recordFile = join(edited, "run.json");
  const record = JSON.parse(readFileSync(recordFile, "utf8")) as { composition: { sha256: string } };
  record.composition.sha256 = "0".repeat(64);
  writeFileSync(recordFile, JSON.stringify(record));
  const edit = await conflux.verify(edited);
  assert.equal(edit.code, 1);
  assert.match(edit.stdout, /composition-conflux\.yaml has sha256 [0-9a-f]{64}, the record says 0{64}/);
  conflux.assertClean();
});

test("verify and export of something that is not a completed run's record exit 2 and say why", async (t) => {
  const conflux = commandLine(t);
  const directory = scratchDirectory(t);
  for (const command of ["verify", "export"]) {
    const ran = await conflux.cli(["repro", command, directory]);
    assert.equal(ran.code, 2, `${command}: ${ran.stderr}`);
    assert.match(ran.stderr, /is not a run directory: it has no run\.json/);
  }
  writeFileSync(join(directory, "run.json"), "{ not json");
  const damaged = await conflux.cli(["repro", "verify", directory]);
  assert.equal(damaged.code, 2);
  assert.match(damaged.stderr, /run\.json is not valid JSON/);
  writeFileSync(join(directory, "run.json"), JSON.stringify({ format: "conflux-run", version: 1 }));
  const old = await conflux.cli(["repro", "export", directory]);
  assert.equal(old.code, 2);
  assert.match(old.stderr, /a run record of version 1; this conflux reads version 2/);
  writeFileSync(
    join(directory, "run.json"),
    JSON.stringify({
      format: "conflux-run",
      version: 2,
      runId: "0123",
      status: "failed",
      iterations: { planned: 9, completed: 3 },
    }),
  );
  const failed = await conflux.cli(["repro", "verify", directory]);
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /run 0123 .* failed after 3 of 9 iterations; only a completed run can be verified/);
});
