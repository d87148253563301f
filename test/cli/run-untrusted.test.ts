// `conflux run` with a component that turns hostile: the run ends with exit
// code 1 and a message naming the component, and the run record is written
// all the same, with the error and the iterations completed.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { onlyRecord, scratchDirectory } from "../support/cli-scratch.ts";

const SEED = join(projectRoot, "examples/seed-dtk/conflux.yaml");

/** The seed demonstration with appB replaced by the hostile fixture, `args` added to appB's. */
export function hostileSeed(directory: string, args: string, iterations = 30): string {
  const file = join(directory, "hostile.yaml");
  const text = readFileSync(SEED, "utf8")
    .replace("module: ./app-a.ts", `module: ${join(projectRoot, "examples/seed-dtk/app-a.ts")}`)
    .replace("module: ./app-b.ts", `module: ${join(projectRoot, "test/coupling/fixtures/untrusted-app.ts")}`)
    .replace("args: { points: 3000, seed: 2, sweeps: 3 }", `args: { points: 3000, seed: 2, sweeps: 3, ${args} }`)
    .replace("iterations: 500", `iterations: ${iterations}`);
  writeFileSync(file, text);
  return file;
}

test("a component that truncates its segment during iteration 20 is named, and the run record is written", async (t) => {
  const directory = scratchDirectory(t);
  const shm = join(directory, "shm");
  mkdirSync(shm);
  const file = hostileSeed(directory, "fault: truncate-mesh, at: 20");
  const ran = await runToEnd(
    startCli(t, ["run", file, "--results", join(directory, "runs")], { CONFLUX_SHM_ROOT: shm }),
  );
  assert.equal(ran.code, 1, ran.stderr);
  assert.equal(ran.signal, null);
  const expected =
    /component "appB" \(process enclave, pid \d+\) truncated segment "appB\.mesh\.surface" \(0 of 120,832 bytes\) in iteration 20, phase "appB\.surface\.flux → appA\.surface\.flux"/;
  assert.match(ran.stderr, expected);
  const record = readRunRecord(onlyRecord(join(directory, "runs")));
  assert.equal(record.status, "failed");
  assert.match(record.error ?? "", expected);
  assert.equal(record.iterations.completed, 20);
  assert.deepEqual(readdirSync(shm), [], "the run's segments were removed");
});

test("a component that writes NaN during iteration 20 ends the run by name; check_finite: false carries it on", async (t) => {
  const directory = scratchDirectory(t);
  const file = hostileSeed(directory, "fault: nan, at: 20, point: 1234");
  const ran = await runToEnd(startCli(t, ["run", file, "--quiet", "--results", join(directory, "runs")]));
  assert.equal(ran.code, 1, ran.stderr);
  const expected =
    /component "appB" \(process enclave, pid \d+\) wrote NaN into field "flux" of mesh "surface" at point 1234 \(its first non-finite value\); the driver carries only finite values unless coupling\.check_finite is false in iteration 20, phase "appB\.surface\.flux → appA\.surface\.flux"/;
  assert.match(ran.stderr, expected);
  assert.match(readRunRecord(onlyRecord(join(directory, "runs"))).error ?? "", expected);

  const lenient = join(directory, "lenient.yaml");
  writeFileSync(lenient, readFileSync(file, "utf8").replace("  wait: {", "  check_finite: false\n  wait: {"));
  const carried = await runToEnd(startCli(t, ["run", lenient, "--quiet", "--results", join(directory, "lenient")]));
  assert.equal(carried.code, 0, carried.stderr);
  assert.equal(readRunRecord(onlyRecord(join(directory, "lenient"))).status, "completed");
});
