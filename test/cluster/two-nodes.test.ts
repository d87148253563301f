// Runs that span two simulated nodes (scripts/simulated-cluster.sh), started
// as a user would in an allocation: `salloc -N2 srun -N1 -n1 -w node1 conflux
// run FILE`. The driver runs on node1; a component placed on node2 runs there,
// started by node2's agent and reached through its relay. Against the same
// composition on one node: the seed demo's fields and the partitioned heat
// case's iterations and fields, bit for bit. A component killed on node2, and
// node2's network dropping mid-run, each end the run with an error naming the
// node and the component, and leave nothing on either node; a driver killed
// mid-run takes node2's component down with it.
import assert from "node:assert/strict";
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createOperator, pointSetFromInterleaved, sourcePointsRead } from "../../src/mapping/index.ts";
import { readRunRecord } from "../../src/record/run-record.ts";
import { compileWithClient } from "../clients/toolchain.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, MPI_PYTHON, MPI4PY, needs, SLURM } from "../support/requirements.ts";
import { clusterForFile, type SimulatedCluster } from "../support/simulated-cluster.ts";

const CONFLUX = join(projectRoot, "bin/conflux.js");
const HEAT = join(projectRoot, "examples/partitioned-heat");
const options = { ...needs(SLURM), timeout: 300_000 };

const scratch = mkdtempSync(join(tmpdir(), "conflux-two-nodes-"));
after(() => (process.env.KEEP_SCRATCH ? undefined : rmSync(scratch, { recursive: true, force: true })));
let shared: SimulatedCluster | undefined;
// The file's last hook: whatever its tests did, the cluster goes.
after(() => shared?.down());
/** One cluster for the file's tests, started by the first that runs. */
function cluster(): SimulatedCluster {
  shared ??= clusterForFile(2);
  return shared;
}

/** `conflux run FILE` as a job step on node1 of a two-node allocation, as a user starts one from a login node. */
function inAllocation(file: string, results: string): string[] {
  const run = [process.execPath, CONFLUX, "run", file, "--results", results, "--quiet"];
  return ["salloc", "-N2", "srun", "-N1", "-n1", "-w", "node1", ...run];
}

/** Such a run, to its end. */
function runOnCluster(file: string, results: string) {
  return cluster().run("ctl", inAllocation(file, results), { timeoutMs: 240_000 });
}

/** Such a run, started. */
function startOnCluster(file: string, results: string): ChildProcess {
  return cluster().start("ctl", inAllocation(file, results));
}

function runHere(file: string, results: string): void {
  const ran = spawnSync(process.execPath, [CONFLUX, "run", file, "--results", results, "--quiet"], {
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.equal(ran.status, 0, ran.stderr);
}

function onlyRecord(results: string) {
  const entries = readdirSync(results).filter((entry) => !entry.includes("."));
  assert.equal(entries.length, 1, entries.join(", "));
  return { directory: join(results, entries[0] as string), record: readRunRecord(join(results, entries[0] as string)) };
}

function fieldDigests(results: string): Record<string, string> {
  const { record } = onlyRecord(results);
  assert.equal(record.status, "completed", record.error);
  return Object.fromEntries(record.fields.map((field) => [field.name, field.sha256]));
}

/** Nothing of ours in a node's /dev/shm, and no process in its network namespace. */
function assertNodeClean(host: string): void {
  const listed = cluster().run(host, ["ls", "/dev/shm"]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual(
    listed.stdout.split("\n").filter((name) => name.startsWith("conflux-")),
    [],
    `${host}'s /dev/shm`,
  );
}

function seedOnTwoNodes(name: string, iterations: number, appB: string): string {
  const seed = readFileSync(join(projectRoot, "examples/seed-dtk/conflux.yaml"), "utf8");
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(
    file,
    seed
      .replace("name: seed-dtk", `name: ${name}\nplacement: { nodes: 2 }`)
      .replace("module: ./app-b.ts", `module: ${appB}\n    node: 2`)
      .replaceAll("./app-a.ts", join(projectRoot, "examples/seed-dtk/app-a.ts"))
      .replace("iterations: 500", `iterations: ${iterations}`),
  );
  return file;
}

test(
  "the seed demo with appB on node2: the one-node fields bit for bit, and nothing left on either node",
  options,
  (t) => {
    const file = seedOnTwoNodes("seed-two-nodes", 500, join(projectRoot, "examples/seed-dtk/app-b.ts"));
    const results = join(scratch, "seed-two-nodes");
    const ran = runOnCluster(file, results);
    assert.equal(ran.status, 0, ran.stderr);
    const local = join(scratch, "seed-one-node");
    writeFileSync(
      `${file}.one-node.yaml`,
      readFileSync(file, "utf8")
        .replace("placement: { nodes: 2 }\n", "")
        .replace(/\n {4}node: 2/, ""),
    );
    runHere(`${file}.one-node.yaml`, local);
    assert.deepEqual(fieldDigests(results), fieldDigests(local));
    const { record } = onlyRecord(results);
    assert.equal(record.driver.host.hostname, "node1");
    assert.equal(record.enclaves.find((enclave) => enclave.component === "appB")?.node, "node2");
    assert.equal(record.enclaves.find((enclave) => enclave.component === "appA")?.node, undefined);
    // appB's temperature is computed on node2 by its agent, from the values of appA's the nearest operator reads.
    assert.deepEqual(record.transfers, [
      { transfer: "appA.surface.temperature → appB.surface.temperature", appliedOn: "node2" },
      { transfer: "appB.surface.flux → appA.surface.flux", appliedOn: "node1" },
    ]);
    const link = record.enclaves.find((enclave) => enclave.component === "appB")?.link;
    t.diagnostic(`appB's relay sent node2 ${link?.bytesToNode} bytes in 500 iterations, its operator's rows included`);
    assertNodeClean("node1");
    assertNodeClean("node2");
  },
);

test("the partitioned heat case with Neumann on node2: the one-node iterations and fields bit for bit", {
  timeout: 300_000,
  ...needs(SLURM, C_COMPILER, MPI4PY),
}, () => {
  const neumann = compileWithClient(scratch, "neumann", [
    "examples/partitioned-heat/neumann.c",
    "examples/partitioned-heat/heat_common.c",
    "examples/partitioned-heat/heat_neumann.c",
  ]);
  const base = readFileSync(join(HEAT, "conflux.iqn-ils-defaults.yaml"), "utf8")
    .replace("command: [./dirichlet.py]", `command: [${MPI_PYTHON}, ${join(HEAT, "dirichlet.py")}]`)
    .replace("command: [./neumann]", `command: [${neumann}]`);
  const twoNodes = join(scratch, "heat-two-nodes.yaml");
  writeFileSync(
    twoNodes,
    base
      .replace(/^name: .*$/m, "name: heat-two-nodes\nplacement: { nodes: 2 }")
      .replace(`command: [${neumann}]`, `command: [${neumann}]\n    node: 2`),
  );
  const oneNode = join(scratch, "heat-one-node.yaml");
  writeFileSync(oneNode, base);
  const results = join(scratch, "heat-two-nodes");
  const ran = runOnCluster(twoNodes, results);
  assert.equal(ran.status, 0, ran.stderr);
  const local = join(scratch, "heat-one-node");
  runHere(oneNode, local);
  assert.deepEqual(fieldDigests(results), fieldDigests(local));
  const iterations = (directory: string) =>
    (onlyRecord(directory).record.convergence ?? []).map((window) => [window.window, window.iterations]);
  assert.equal(iterations(results).length, 10);
  assert.deepEqual(iterations(results), iterations(local));
  assertNodeClean("node2");
});

/** The seed's appB at a path of its own, so that its process is found by that path alone. */
function solverPackage(name: string): string {
  const directory = join(scratch, name);
  mkdirSync(directory, { recursive: true });
  const source = readFileSync(join(projectRoot, "examples/seed-dtk/app-b.ts"), "utf8").replace(
    "./run-seed-app.ts",
    join(projectRoot, "examples/seed-dtk/run-seed-app.ts"),
  );
  const module = join(directory, "app-b.ts");
  writeFileSync(module, source);
  return module;
}

function pidOf(path: string): number | undefined {
  const found = spawnSync("pgrep", ["-f", `node.* ${path}`], { encoding: "utf8" });
  const pid = Number(found.stdout.trim().split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function untilRunning(path: string): Promise<number> {
  for (let waited = 0; waited < 120_000; waited += 100) {
    const pid = pidOf(path);
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${path} never started`);
}

function ended(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdout?.resume();
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

/**
 * A seed run that would go on for hours, with appB at a path of its own on node2: started, and returned once
 * appB has run for a second, with its pid and the run's end.
 */
async function longRunUnderWay(name: string) {
  const module = solverPackage(name);
  const file = seedOnTwoNodes(`seed-${name}`, 1_000_000, module);
  const results = join(scratch, `seed-${name}`);
  const end = ended(startOnCluster(file, results));
  const pid = await untilRunning(module);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { module, file, results, end, pid };
}

test(
  "a component killed on node2 ends the run naming the node, the component, its pid and the signal",
  options,
  async (t) => {
    const { results, end, pid } = await longRunUnderWay("killed");
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    const { code, stderr } = await end;
    assert.equal(code, 1, stderr);
    const { record } = onlyRecord(results);
    assert.equal(record.status, "failed");
    assert.match(
      record.error ?? "",
      new RegExp(
        `^component "appB" \\(process enclave on node2, pid ${pid}\\) was killed by SIGKILL in iteration \\d+`,
      ),
    );
    t.diagnostic(`the run's record was written ${record.finishedUnixMs - killedAt} ms after the kill`);
    assertNodeClean("node2");
  },
);

test(
  "node2's network dropping mid-run ends the run naming the node and the component; node2 cleans up",
  options,
  async (t) => {
    const { module, results, end, pid } = await longRunUnderWay("cut-off");
    const link = (state: "up" | "down") =>
      spawnSync("ip", ["-n", `${cluster().prefix}node2`, "link", "set", "eth0", state], { encoding: "utf8" });
    const cutAt = Date.now();
    assert.equal(link("down").status, 0);
    try {
      const { code, stderr } = await end;
      assert.equal(code, 1, stderr);
      const { record } = onlyRecord(results);
      assert.equal(record.status, "failed");
      assert.match(
        record.error ?? "",
        /^component "appB" \(process enclave on node2, pid \d+\) was lost with its node node2/,
      );
      t.diagnostic(`the run's record was written ${record.finishedUnixMs - cutAt} ms after the link went down`);
      // Node2's agent lost its relay too, and took the component down there, with its run directory.
      for (let waited = 0; pidOf(module) !== undefined && waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(pidOf(module), undefined, `the component (pid ${pid}) on node2 is gone`);
    } finally {
      link("up");
    }
    assertNodeClean("node2");
  },
);

test(
  "the driver killed mid-run: the agents take their components down, and conflux clean leaves both nodes clean",
  options,
  async (t) => {
    const { module, file, end, pid: component } = await longRunUnderWay("orphaned");
    const found = spawnSync("pgrep", ["-f", `conflux.js run ${file}`], { encoding: "utf8" });
    const driver = found.stdout
      .trim()
      .split("\n")
      .map(Number)
      .find((pid) => pid > 0 && readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "node");
    assert.ok(driver !== undefined, "the driver's process on node1");
    const killedAt = Date.now();
    process.kill(driver, "SIGKILL");
    for (let waited = 0; pidOf(module) !== undefined && waited < 30_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(pidOf(module), undefined, `the component (pid ${component}) on node2 is gone`);
    t.diagnostic(`node2's component was gone ${Date.now() - killedAt} ms after the driver was killed`);
    await end;
    // The agent removes its run directory when it outlives its relay; when Slurm kills the step first, the
    // directory stays, as on one node, for `conflux clean` (or the node's next agent) to remove.
    // The killed driver's own run directory on node1 is left the same way, for the same command.
    for (const node of ["node1", "node2"]) {
      const cleaned = cluster().run(node, [process.execPath, CONFLUX, "clean"]);
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assertNodeClean(node);
    }
  },
);

test(
  "a component of 4 ranks spread over both nodes (2 + 0 points on node1, 3 + 1 on node2): the one-node fields bit for bit",
  options,
  () => {
    const app = join(projectRoot, "test/coupling/fixtures/ranked-app.ts");
    const composition = (placed: boolean) => `version: 1
name: spread${placed ? "" : "-one-node"}
${placed ? "placement: { nodes: 2 }\n" : ""}components:
  solver:
    module: ${app}
    ranks: 4
${placed ? "    spread: true\n" : ""}    args: { counts: [2, 0, 3, 1] }
    meshes:
      surface: { dimension: 3, fields: [out, in] }
  serial:
    module: ${app}
    args: { counts: [6] }
    meshes:
      surface: { dimension: 3, points: 6, fields: [out, in] }
transfers:
  - { from: solver.surface.out, to: serial.surface.in }
  - { from: serial.surface.out, to: solver.surface.in }
coupling:
  order: [solver, serial]
  iterations: 12
  wait: { strategy: block }
`;
    const spread = join(scratch, "spread.yaml");
    writeFileSync(spread, composition(true));
    const oneNode = join(scratch, "spread-one-node.yaml");
    writeFileSync(oneNode, composition(false));
    const results = join(scratch, "spread");
    const ran = runOnCluster(spread, results);
    assert.equal(ran.status, 0, ran.stderr);
    const local = join(scratch, "spread-one-node");
    runHere(oneNode, local);
    assert.deepEqual(fieldDigests(results), fieldDigests(local));
    const { record } = onlyRecord(results);
    assert.deepEqual(record.enclaves.find((enclave) => enclave.component === "solver")?.rankNodes, [
      "node1",
      "node1",
      "node2",
      "node2",
    ]);
    assert.equal(record.ranks?.solver?.ranks, 4);
    assertNodeClean("node2");
  },
);

interface Lines {
  /** The line on node2 (none: both on node1, one node). */
  onNode2?: "Long" | "Short";
  /** ≥ 0: the long line spoils its last value in that iteration. */
  nanAt?: number;
  iterations?: number;
  /** The operator of Long.line.out → Short.line.in; none: Short's values go to Long, and nothing comes back. */
  longToShort?: string | null;
}

/** A long line (20,000 points over [0, 1)) and a short one (64 points over its first 0.3 %), each reading the other. */
function lines(
  name: string,
  { onNode2, nanAt = -1, iterations = SPARSE_ITERATIONS, longToShort = "{ method: nearest }" }: Lines = {},
): string {
  const app = join(projectRoot, "test/cluster/fixtures/line-app.ts");
  const file = join(scratch, `${name}.yaml`);
  const placed = (component: string) => (onNode2 === component ? "    node: 2\n" : "");
  writeFileSync(
    file,
    `version: 1
name: ${name}
${onNode2 === undefined ? "" : "placement: { nodes: 2 }\n"}components:
  Long:
    module: ${app}
    args: { points: ${LONG_POINTS}, from: 0, to: 1, nanAt: ${nanAt} }
${placed("Long")}    meshes:
      line: { dimension: 1, points: ${LONG_POINTS}, fields: [out, in] }
  Short:
    module: ${app}
    args: { points: 64, from: 0, to: 0.003 }
${placed("Short")}    meshes:
      line: { dimension: 1, points: 64, fields: [out, in] }
transfers:
${longToShort === null ? "" : `  - { from: Long.line.out, to: Short.line.in, operator: ${longToShort} }\n`}  - { from: Short.line.out, to: Long.line.in, operator: { method: nearest } }
coupling:
  order: [Long, Short]
  iterations: ${iterations}
`,
  );
  return file;
}
const LONG_POINTS = 20_000;
const SPARSE_ITERATIONS = 50;
const LONG_TO_SHORT = "Long.line.out → Short.line.in";
const SHORT_TO_LONG = "Short.line.out → Long.line.in";

/** The source points `spec` reads from mesh `from` onto mesh `to`, as the driver set it up from their saved coordinates. */
function pointsRead(results: string, from: string, to: string, spec: unknown): number {
  const { directory, record } = onlyRecord(results);
  const points = (mesh: string) => {
    const field = record.fields.find((candidate) => candidate.name === `${mesh}.coordinates`);
    assert.ok(field !== undefined, `${mesh}'s coordinates are saved`);
    const bytes = readFileSync(join(directory, field.file));
    return pointSetFromInterleaved(1, new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8));
  };
  const operator = createOperator(points(from), points(to), spec);
  return sourcePointsRead(operator)?.length ?? operator.sourceCount;
}

/** The lines run over two nodes and on one: the results directory of the first, whose fields are the second's. */
function linesAgainstOneNode(name: string, placed: Lines): string {
  const results = join(scratch, name);
  const ran = runOnCluster(lines(name, placed), results);
  assert.equal(ran.status, 0, ran.stderr);
  const local = join(scratch, `${name}-one-node`);
  const { onNode2: _, ...oneNode } = placed;
  runHere(lines(`${name}-one-node`, oneNode), local);
  assert.deepEqual(fieldDigests(results), fieldDigests(local));
  return results;
}

function linkOf(results: string, component: string) {
  const link = onlyRecord(results).record.enclaves.find((enclave) => enclave.component === component)?.link;
  assert.ok(link !== undefined, `the record keeps what ${component}'s relay moved`);
  return link;
}

test(
  "a long line on node2 that the driver reads 64 values of: each turn brings those, the one-node fields bit for bit, and a NaN nobody reads still ends the run naming its point",
  options,
  () => {
    const results = linesAgainstOneNode("sparse-reads", { onNode2: "Long" });
    const link = linkOf(results, "Long");
    // Whole, each turn would bring the rewritten field, 160 kB; what crosses is the hello (coordinates and both
    // fields), a few blocks a turn, and at bye the rest of the field once, and the field its agent computed.
    const field = LONG_POINTS * 8;
    assert.ok(link.bytesFromNode >= 3 * field, `${link.bytesFromNode} bytes from node2`);
    assert.ok(link.bytesFromNode < 5 * field + SPARSE_ITERATIONS * 4096, `${link.bytesFromNode} bytes from node2`);
    assert.ok(link.records >= 2 * SPARSE_ITERATIONS, `${link.records} records`);

    const spoiled = join(scratch, "sparse-reads-nan");
    const failed = runOnCluster(lines("sparse-reads-nan", { onNode2: "Long", nanAt: 10 }), spoiled);
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /component "Long"[^\n]*node2/);
    assert.match(failed.stderr, /wrote NaN into field "out" of mesh "line" at point 19999/);
    assertNodeClean("node1");
    assertNodeClean("node2");
  },
);

test(
  "a nearest operator onto the long line on node2 is applied there: the one-node fields bit for bit, and each turn sends node2 the values it reads, not the 160 kB field",
  options,
  (t) => {
    const results = linesAgainstOneNode("applied-on-node2", { onNode2: "Long" });
    assert.deepEqual(onlyRecord(results).record.transfers, [
      { transfer: LONG_TO_SHORT, appliedOn: "node1" },
      { transfer: SHORT_TO_LONG, appliedOn: "node2" },
    ]);
    // The same run for half the turns: what a turn sends is the difference, without what setup sent once.
    const shorter = join(scratch, "applied-on-node2-shorter");
    const half = SPARSE_ITERATIONS / 2;
    const ranShorter = runOnCluster(lines("applied-on-node2-shorter", { onNode2: "Long", iterations: half }), shorter);
    assert.equal(ranShorter.status, 0, ranShorter.stderr);
    const perTurn = (linkOf(results, "Long").bytesToNode - linkOf(shorter, "Long").bytesToNode) / half;
    // Every value the operator reads changes every turn (x + iteration): they cross, with the operator's generation.
    const read = pointsRead(results, "Short.line", "Long.line", { method: "nearest" });
    t.diagnostic(
      `a turn sent node2 ${perTurn} bytes: ${read} source values read and a generation; its field is ${LONG_POINTS * 8} bytes`,
    );
    assert.equal(perTurn, (read + 1) * 8);
    assertNodeClean("node1");
    assertNodeClean("node2");
  },
);

test(
  "an RBF-PU operator onto the short line on node2 is applied there from the long line's values in its support: the one-node fields bit for bit",
  options,
  (t) => {
    const rbf = "{ method: rbf-pu, radius: 0.0005 }";
    const results = linesAgainstOneNode("rbf-pu-on-node2", { onNode2: "Short", longToShort: rbf });
    assert.deepEqual(onlyRecord(results).record.transfers, [
      { transfer: LONG_TO_SHORT, appliedOn: "node2" },
      { transfer: SHORT_TO_LONG, appliedOn: "node1" },
    ]);
    const read = pointsRead(results, "Long.line", "Short.line", { method: "rbf-pu", radius: 0.0005 });
    assert.ok(read < LONG_POINTS / 100, `the rows read ${read} of the long line's ${LONG_POINTS} values`);
    const link = linkOf(results, "Short");
    t.diagnostic(
      `node2 was sent ${link.bytesToNode} bytes in ${SPARSE_ITERATIONS} turns; the rows read ${read} values`,
    );
    // Setup sends the rows once (a few kB); a turn, the values read: never the long line.
    assert.ok(link.bytesToNode < 64 * 1024 + (SPARSE_ITERATIONS + 1) * (read + 1) * 8, `${link.bytesToNode} bytes`);
    assertNodeClean("node2");
  },
);

test(
  "a long line on node2 that is only a target: the field its agent computes crosses once, at bye, not every turn",
  options,
  () => {
    const results = linesAgainstOneNode("only-a-target", { onNode2: "Long", longToShort: null });
    assert.deepEqual(onlyRecord(results).record.transfers, [{ transfer: SHORT_TO_LONG, appliedOn: "node2" }]);
    const link = linkOf(results, "Long");
    // The hello brings coordinates and both fields; bye both fields again; a turn, a block or so.
    const field = LONG_POINTS * 8;
    assert.ok(link.bytesFromNode < 5 * field + SPARSE_ITERATIONS * 4096, `${link.bytesFromNode} bytes from node2`);
    assertNodeClean("node2");
  },
);
