// `conflux submit` of real sbatch jobs on a simulated cluster of two nodes,
// waited for and checked: the seed demo's job runs `conflux run` on the first
// node and leaves its run record, completed, beside the script and the job's
// output; a composition placed on two nodes is submitted on two and runs
// there, appB on the second node; a time limit sbatch cannot take is refused
// before anything is submitted.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot } from "../support/child-process.ts";
import { needs, SLURM } from "../support/requirements.ts";
import { startCluster } from "../support/simulated-cluster.ts";

const CONFLUX = join(projectRoot, "bin/conflux.js");
const SEED = join(projectRoot, "examples/seed-dtk/conflux.yaml");

test("conflux submit: real batch jobs run a composition on one node and one on two, and leave their records", {
  ...needs(SLURM),
  timeout: 300_000,
}, (t) => {
  const cluster = startCluster(t, 2);
  const results = join(cluster.directory, "results");
  const submit = (file: string, ...options: string[]) =>
    cluster.run("ctl", [process.execPath, CONFLUX, "submit", file, "--results", results, ...options]);
  const submitted = submit(SEED, "--time", "10", "--wait");
  assert.equal(submitted.status, 0, submitted.stderr);
  const jobId = submitted.stdout.trim();
  assert.match(jobId, /^\d+$/, "the job id, alone on stdout");
  assert.match(
    submitted.stderr,
    new RegExp(`submitted job ${jobId}: script .*\\.sbatch, output .*seed-dtk-${jobId}\\.out`),
  );
  const entries = readdirSync(results);
  const script = entries.find((entry) => entry.endsWith(".sbatch")) as string;
  assert.match(readFileSync(join(results, script), "utf8"), /^#SBATCH --nodes=1$/m);
  assert.match(readFileSync(join(results, script), "utf8"), /^#SBATCH --time=10$/m);
  const runs = entries.filter((entry) => entry.startsWith("seed-dtk-") && !entry.includes("."));
  assert.equal(runs.length, 1, entries.join(", "));
  const record = readRunRecord(join(results, runs[0] as string));
  assert.equal(record.status, "completed", record.error);
  assert.equal(record.iterations.completed, 500);
  assert.equal(record.driver.host.hostname, "node1", "the driver ran on the allocation's first node");

  const twoNodes = join(cluster.directory, "two-nodes.yaml");
  writeFileSync(
    twoNodes,
    readFileSync(SEED, "utf8")
      .replace("name: seed-dtk", "name: seed-two-nodes\nplacement: { nodes: 2 }")
      .replace(/module: \.\/app-b\.ts/, "module: ./app-b.ts\n    node: 2")
      .replaceAll("./app-", `${join(projectRoot, "examples/seed-dtk")}/app-`),
  );
  const spanning = submit(twoNodes, "--wait");
  assert.equal(spanning.status, 0, spanning.stderr);
  assert.match(
    readFileSync(
      join(
        results,
        readdirSync(results).find(
          (entry) => entry.startsWith("seed-two-nodes-") && entry.endsWith(".sbatch"),
        ) as string,
      ),
      "utf8",
    ),
    /^#SBATCH --nodes=2$/m,
    "submitted on the composition's two nodes",
  );
  const spanned = readdirSync(results).filter((entry) => entry.startsWith("seed-two-nodes-") && !entry.includes("."));
  assert.equal(spanned.length, 1);
  const spannedRecord = readRunRecord(join(results, spanned[0] as string));
  assert.equal(spannedRecord.status, "completed", spannedRecord.error);
  assert.equal(spannedRecord.enclaves.find((enclave) => enclave.component === "appB")?.node, "node2");

  const badTime = submit(SEED, "--time", "soon");
  assert.equal(badTime.status, 2);
  assert.match(badTime.stderr, /--time soon: give minutes, or \[days-\]hours:minutes:seconds/);
});
