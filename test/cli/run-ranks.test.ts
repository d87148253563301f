// `conflux run` of a composition with a component of many ranks (ranks: 3,
// points left out): the run completes, its record keeps every rank's load
// imbalance, `conflux inspect` prints it, and a composition that asks for
// ranks where no launcher can start them is refused by name, as is a run whose
// declared points: differ from what the ranks publish. The driver's
// threads (coupling.threads, every core when absent) are in the record.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";

const APP = join(projectRoot, "test/coupling/fixtures/ranked-app.ts");

function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-ranks-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function composition(solverEnclave: string, extra = "", solverPoints = ""): string {
  return `version: 1
name: ranks
components:
  solver:
    enclave: { kind: ${solverEnclave} }
    module: ${APP}
    ranks: 3
${extra}    args: { counts: [2, 0, 3] }
    meshes:
      surface: { dimension: 3, ${solverPoints}fields: [out, in] }
  serial:
    module: ${APP}
    args: { counts: [5] }
    meshes:
      surface: { dimension: 3, points: 5, fields: [out, in] }
transfers:
  - { from: solver.surface.out, to: serial.surface.in }
  - { from: serial.surface.out, to: solver.surface.in }
coupling:
  order: [solver, serial]
  iterations: 12
  wait: { strategy: block }
`;
}

test("conflux run: a component of 3 ranks with uneven partitions, its load imbalance in the record and in inspect", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "conflux.yaml");
  writeFileSync(file, composition("process"));
  const results = join(directory, "runs");
  const ran = await runToEnd(startCli(t, ["run", file, "--results", results]));
  assert.equal(ran.code, 0, ran.stderr);
  const entries = readdirSync(results);
  assert.equal(entries.length, 1);
  const record = readRunRecord(join(results, entries[0] as string));
  assert.equal(record.status, "completed");
  const imbalance = record.ranks?.solver;
  assert.ok(imbalance, "the record has the solver's ranks");
  assert.equal(imbalance.ranks, 3);
  assert.equal(imbalance.steps, 12);
  assert.equal(imbalance.slowest.length, 12);
  assert.ok(imbalance.meanRatio >= 1);
  assert.equal(
    imbalance.slowestCounts.reduce((sum, count) => sum + count, 0),
    12,
  );
  const inspected = await runToEnd(startCli(t, ["inspect", join(results, entries[0] as string)]));
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /ranks of solver: 3 ranks, 12 steps; slowest ÷ fastest \d+\.\d\d on average/);
  assert.equal(record.driver.threads, availableParallelism(), "coupling.threads: every core when absent");
  assert.match(
    inspected.stdout,
    new RegExp(`; ${availableParallelism()} thread\\(s\\) for operators and acceleration`),
  );
});

test("conflux run: a ranked mesh whose points: is not the sum of its partitions ends the run naming both counts", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "conflux.yaml");
  // The partitions hold 2 + 0 + 3 = 5 points; the composition declares 4 as its check of the global count.
  writeFileSync(file, composition("process", "", "points: 4, "));
  const results = join(directory, "runs");
  const ran = await runToEnd(startCli(t, ["run", file, "--results", results]));
  assert.notEqual(ran.code, 0, ran.stdout);
  assert.match(
    ran.stderr,
    /component "solver" rank 0 \(process enclave, pid \d+\) published mesh "surface" with 5 points over its 3 ranks \(2 \+ 0 \+ 3\), declared 4 during mesh check/,
  );
  const entries = readdirSync(results);
  assert.equal(entries.length, 1);
  assert.equal(readRunRecord(join(results, entries[0] as string)).status, "failed");
});

test("conflux validate refuses a thread count out of range, naming coupling.threads", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "threads.yaml");
  writeFileSync(file, composition("process").replace("  iterations: 12\n", "  iterations: 12\n  threads: 0\n"));
  const validated = await runToEnd(startCli(t, ["validate", file]));
  assert.notEqual(validated.code, 0);
  assert.match(validated.stdout + validated.stderr, /coupling\.threads/);
});

test("conflux validate refuses ranks where no launcher starts them, naming the key and the fix", async (t) => {
  const directory = scratchDirectory(t);
  for (const [kind, expected] of [
    ["thread", /components\.solver\.ranks.*3 ranks in a thread enclave/s],
    ["container", /components\.solver\.ranks.*started as plain processes[\s\S]*launcher: mpirun/],
  ] as const) {
    const file = join(directory, `${kind}.yaml`);
    writeFileSync(file, composition(kind));
    const validated = await runToEnd(startCli(t, ["validate", file]));
    assert.notEqual(validated.code, 0);
    assert.match(validated.stdout + validated.stderr, expected);
  }
});
