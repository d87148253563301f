import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { seedReference } from "../../examples/seed-dtk/reference.ts";
import { settingsFrom } from "../../src/bench/seed-workload.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { findExecutable } from "../../src/platform/executable.ts";
import { readRunRecord, sha256 } from "../../src/record/run-record.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { onlyRecord, scratchDirectory } from "../support/cli-scratch.ts";
import { needs, PYTHON, pythonCommand } from "../support/requirements.ts";

const SEED = join(projectRoot, "examples/seed-dtk/conflux.yaml");

function field(record: string, name: string): Float64Array {
  const bytes = readFileSync(join(record, "fields", `${name}.f64`));
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

test("conflux run couples the seed demonstration across processes and records what it produced", async (t) => {
  const results = scratchDirectory(t);
  const ran = await runToEnd(startCli(t, ["run", SEED, "--iterations", "60", "--results", results]));
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /run seed-dtk \([0-9a-f]{16}\): completed, 60\/60 iterations/);
  // Progress (plain lines: stderr is no terminal here): a rate only once one is measured, never "0 it/s".
  const progress = ran.stderr.split("\n").filter((line) => /: iteration \d+\/60/.test(line));
  assert.ok(progress.length > 0, ran.stderr);
  for (const line of progress) assert.doesNotMatch(line, / 0 it\/s/, line);
  assert.match(ran.stdout, /appA\.surface\.temperature → appB\.surface\.temperature +60 /);
  const directory = onlyRecord(results);
  const record = readRunRecord(directory);
  assert.equal(record.status, "completed");
  assert.equal(record.iterations.completed, 60);
  assert.equal(record.composition.sha256, sha256(readFileSync(SEED)));
  for (const file of record.fields) assert.equal(sha256(readFileSync(join(directory, file.file))), file.sha256);
  const reference = seedReference(
    settingsFrom({ points: 3000, seed: 1, sweeps: 3 }, "temperature"),
    settingsFrom({ points: 3000, seed: 2, sweeps: 3 }, "flux"),
    60,
    (source, target) => setupNearestNeighbour(source, target),
  );
  assert.deepEqual(field(directory, "appB.surface.temperature"), reference.temperatureB);
  assert.deepEqual(field(directory, "appA.surface.flux"), reference.fluxA);

  const inspected = await runToEnd(startCli(t, ["inspect", directory]));
  assert.equal(inspected.code, 0);
  assert.match(inspected.stdout, /appA: process enclave, pid \d+, exit code 0/);
  assert.match(inspected.stdout, /iteration +60 /);
});

test("an invalid composition is refused before anything starts, with file:line:column", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "bad.yaml");
  writeFileSync(
    file,
    readFileSync(SEED, "utf8")
      .replace("kind: process", "kind: proces")
      .replace(/module: \.\//g, `module: ${join(projectRoot, "examples/seed-dtk")}/`),
  );
  // A private segment root: other tests' runs cannot blur what this one leaves.
  const shm = join(scratchDirectory(t), "shm");
  mkdirSync(shm);
  const ran = await runToEnd(startCli(t, ["run", file, "--results", directory], { CONFLUX_SHM_ROOT: shm }));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /bad\.yaml:\d+:\d+: components\.appA\.enclave\.kind: .*"proces".*Did you mean "process"\?/);
  assert.deepEqual(readdirSync(shm), [], "no run was created");
  assert.deepEqual(readdirSync(directory), ["bad.yaml"], "no run record for a run that never started");
});

test("a failing component ends conflux run with exit code 1, its name, and the results so far", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "failing.yaml");
  const text = readFileSync(SEED, "utf8")
    .replace("module: ./app-a.ts", `module: ${join(projectRoot, "examples/seed-dtk/app-a.ts")}`)
    .replace("module: ./app-b.ts", `module: ${join(projectRoot, "test/coupling/fixtures/faulty-app.ts")}`)
    .replace(
      "args: { points: 3000, seed: 2, sweeps: 3 }",
      "args: { points: 3000, seed: 2, sweeps: 3, fault: exit3, at: 9 }",
    );
  writeFileSync(file, text);
  const ran = await runToEnd(startCli(t, ["run", file, "--results", join(directory, "runs")]));
  assert.equal(ran.code, 1);
  assert.match(
    ran.stderr,
    /component "appB" \(process enclave, pid \d+\) exited with code 3 in iteration 9, phase "appB step"/,
  );
  const recorded = onlyRecord(join(directory, "runs"));
  const record = readRunRecord(recorded);
  assert.equal(record.status, "failed");
  assert.equal(record.iterations.completed, 9);
  assert.ok(record.fields.length > 0, "the fields of the completed iterations were saved");
  // How each component ended: the failing one by itself, the other stopped by the driver.
  const exits = new Map(record.enclaves.map((enclave) => [enclave.component, enclave.exit]));
  assert.deepEqual(exits.get("appB"), { code: 3, signal: null, cause: "exit" });
  assert.equal(exits.get("appA")?.cause, "stop");
  const inspected = await runToEnd(startCli(t, ["inspect", recorded]));
  assert.match(inspected.stdout, /appB: process enclave, pid \d+, exit code 3$/m);
  assert.match(
    inspected.stdout,
    /appA: process enclave, pid \d+, stopped by the driver \(killed by SIG(TERM|KILL)\)$/m,
  );
});

test("a run that fails at startup records every component and how it ended", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "early.yaml");
  const text = readFileSync(SEED, "utf8")
    .replace("module: ./app-a.ts", `module: ${join(projectRoot, "examples/seed-dtk/app-a.ts")}`)
    .replace("module: ./app-b.ts", 'command: [sh, -c, "echo giving up >&2; exit 4"]');
  writeFileSync(file, text);
  const ran = await runToEnd(startCli(t, ["run", file, "--results", join(directory, "runs")]));
  assert.equal(ran.code, 1);
  assert.match(ran.stderr, /component "appB" \(process enclave, pid \d+\) exited with code 4 before it said hello/);
  const recorded = onlyRecord(join(directory, "runs"));
  const record = readRunRecord(recorded);
  assert.equal(record.status, "failed");
  assert.deepEqual(
    record.enclaves.map((enclave) => enclave.component),
    ["appA", "appB"],
  );
  const appB = record.enclaves.find((enclave) => enclave.component === "appB");
  assert.deepEqual(appB?.exit, { code: 4, signal: null, cause: "exit" });
  assert.ok((appB?.pid ?? 0) > 0);
  assert.equal(record.enclaves.find((enclave) => enclave.component === "appA")?.exit?.cause, "stop");
  const inspected = await runToEnd(startCli(t, ["inspect", recorded]));
  assert.match(inspected.stdout, /appB: process enclave, pid \d+, exit code 4$/m);
});

test("Ctrl-C ends a run cleanly: components stopped, segments removed, exit code 130", async (t) => {
  const results = scratchDirectory(t);
  const shm = join(scratchDirectory(t), "shm");
  mkdirSync(shm);
  const running = startCli(t, ["run", SEED, "--iterations", "10000000", "--results", results], {
    CONFLUX_SHM_ROOT: shm,
  });
  // Progress lines go to stderr once the loop runs.
  const deadline = Date.now() + 60_000;
  while (!/iteration \d+\/10000000/.test(running.stderr()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.match(running.stderr(), /iteration \d+\/10000000/, "the run got into its loop");
  running.child.kill("SIGINT");
  const ended = await runToEnd(running);
  assert.equal(ended.code, 130, ended.stderr);
  assert.match(
    ended.stderr,
    /interrupted by SIGINT in iteration \d+, phase "[^"]+"; every component was stopped and the run's segments removed/,
  );
  assert.deepEqual(readdirSync(shm), [], "the run's segments were removed");
  assert.equal(readRunRecord(onlyRecord(results)).status, "interrupted");
});

test(
  "components run in the composition's directory: a relative script and its data are found from anywhere, by run and by repro verify",
  needs(PYTHON),
  async (t) => {
    // The composition and its files in a directory of their own; conflux starts in the project's.
    const directory = scratchDirectory(t);
    copyFileSync(join(projectRoot, "test/cli/fixtures/plate.py"), join(directory, "plate.py"));
    writeFileSync(join(directory, "plate.txt"), "40\n");
    const python = findExecutable(pythonCommand() as string) ?? "/usr/bin/python3";
    writeFileSync(
      join(directory, "plate.yaml"),
      [
        "version: 1",
        "name: plate",
        "components:",
        "  plate:",
        `    command: [${python}, plate.py]`,
        `    env: { PYTHONPATH: ${join(projectRoot, "clients/python")}, PYTHONDONTWRITEBYTECODE: "1", CONFLUX_NO_NUMPY: "1" }`,
        "    meshes: { plate: { dimension: 1, points: 1, fields: [value] } }",
        "coupling: { iterations: 3, order: [plate] }",
        "",
      ].join("\n"),
    );
    const ran = await runToEnd(
      startCli(t, ["run", join(directory, "plate.yaml"), "--results", join(directory, "runs")]),
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /^\[plate\] plate read 40\.0$/m);
    const recorded = onlyRecord(join(directory, "runs"));
    assert.deepEqual([...field(recorded, "plate.plate.value")], [42], "the last iteration (2) on plate.txt's 40");
    const record = readRunRecord(recorded);
    assert.ok(
      record.inputs.some((input) => input.path === join(directory, "plate.py") && input.role === "command argument"),
      "the script is among the run's inputs, found where it ran",
    );
    assert.equal(record.enclaves[0]?.description.cwd, directory);
    const verified = await runToEnd(startCli(t, ["repro", "verify", recorded, "--quiet"]));
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /result: reproduced/);
  },
);

test("a component's lines reach the terminal while the run goes on, prefixed, even after it wrote more than a pipe holds", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "ticker.yaml");
  // 60 steps of 100 ms: a 6 s loop; in step 20 a burst of 256 KiB, more than a pipe holds, with 2 s per step allowed.
  writeFileSync(
    file,
    [
      "version: 1",
      "name: ticker",
      "components:",
      "  ticker:",
      `    module: ${join(projectRoot, "test/cli/fixtures/ticker.ts")}`,
      "    args: { stepMs: 100, burstAt: 20, burstBytes: 262144 }",
      "    meshes: { dial: { dimension: 1, points: 1, fields: [value] } }",
      "coupling: { iterations: 60, order: [ticker], timeouts: { step_ms: 2000 } }",
      "",
    ].join("\n"),
  );
  const running = startCli(t, ["run", file, "--results", join(directory, "runs")]);
  // When each tick line arrived, beside when the component wrote it.
  const ticks: { iteration: number; written: number; arrived: number }[] = [];
  let pending = "";
  running.child.stderr?.on("data", (chunk: Buffer) => {
    const arrived = Date.now();
    const lines = (pending + chunk.toString("utf8")).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const tick = /^\[ticker\] tick (\d+) (\d+)$/.exec(line);
      if (tick !== null) ticks.push({ iteration: Number(tick[1]), written: Number(tick[2]), arrived });
    }
  });
  const ran = await runToEnd(running);
  assert.equal(ran.code, 0, ran.stderr.slice(-2000));
  assert.match(ran.stderr, /^\[ticker\] burst burst/m, "the burst was passed on, prefixed");
  assert.deepEqual(
    ticks.map((tick) => tick.iteration),
    Array.from({ length: 60 }, (_, index) => index),
  );
  const first = ticks[0] as (typeof ticks)[number];
  const last = ticks[59] as (typeof ticks)[number];
  // Streamed: the first line arrived while the loop still had seconds to go, not with the last.
  assert.ok(
    last.arrived - first.arrived >= 3000,
    `the lines arrived within ${last.arrived - first.arrived} ms of each other`,
  );
  const lags = ticks.map((tick) => tick.arrived - tick.written).sort((a, b) => a - b);
  assert.ok((lags[30] ?? Infinity) < 1000, `half the lines took over ${lags[30]} ms to arrive`);
});

test("conflux inspect on something that is not a run says so", async (t) => {
  const directory = scratchDirectory(t);
  const ran = await runToEnd(startCli(t, ["inspect", directory]));
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /is not a run directory: it has no run\.json/);
});
