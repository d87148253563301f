// Enclave limits from the composition (memory_mib, cpu_weight), through
// `conflux run` across real processes: a component over its memory limit ends
// the run naming the limit and the peak; every enclave's peak memory and CPU
// time reach the run record; nothing stays in the cgroup tree; the keys a
// thread or a VM cannot honour are refused where they stand; and a host with
// no cgroups refuses a composition that asks for limits, by name.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cgroupBases, cgroupHost } from "../../src/enclave/resources/cgroup-host.ts";
import { enclaveCgroupsUnder } from "../../src/enclave/resources/enclave-cgroup.ts";
import { readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";
import { onlyRecord, scratchDirectory } from "../support/cli-scratch.ts";
import { CGROUPS, needs, SETPRIV } from "../support/requirements.ts";

const SEED = join(projectRoot, "examples/seed-dtk/conflux.yaml");

/** The seed demonstration with appB's enclave given `enclave` lines and appB's args extended by `args`. */
function limitedSeed(directory: string, enclave: string, args = "", iterations = 30): string {
  const file = join(directory, "limited.yaml");
  const appB = args === "" ? "module: ./app-b.ts" : "module: ./untrusted-app.ts";
  const text = readFileSync(SEED, "utf8")
    .replace("module: ./app-a.ts", `module: ${join(projectRoot, "examples/seed-dtk/app-a.ts")}`)
    .replace("module: ./app-b.ts", appB)
    .replace(/(appB:\n {4}enclave:\n {6}kind: process\n)/, `$1${enclave}`)
    .replace("args: { points: 3000, seed: 2, sweeps: 3 }", `args: { points: 3000, seed: 2, sweeps: 3${args} }`)
    .replace("iterations: 500", `iterations: ${iterations}`)
    .replaceAll("./untrusted-app.ts", join(projectRoot, "test/coupling/fixtures/untrusted-app.ts"))
    .replaceAll("./app-b.ts", join(projectRoot, "examples/seed-dtk/app-b.ts"));
  writeFileSync(file, text);
  return file;
}

/** The enclave cgroups driver `pid` made that are still in the tree. */
function cgroupsOf(pid: number): string[] {
  const host = cgroupHost();
  if (host.version === 0) return [];
  const bases = cgroupBases(host);
  return enclaveCgroupsUnder(bases)
    .filter((found) => found.pid === pid)
    .map((found) => found.directory);
}

test(
  "a component over its enclave's memory_mib ends the run naming the limit and its peak; nothing stays in the cgroup tree",
  needs(CGROUPS, SETPRIV),
  async (t) => {
    const directory = scratchDirectory(t);
    const file = limitedSeed(directory, "      memory_mib: 200\n", ", fault: hog-memory, at: 20, mib: 400");
    const cli = startCli(t, ["run", file, "--quiet", "--results", join(directory, "runs")]);
    const ran = await runToEnd(cli);
    assert.equal(ran.code, 1, ran.stderr);
    const expected =
      /component "appB" \(process enclave, pid \d+\) was killed by the kernel for exceeding its enclave's memory limit of 200 MiB \(memory_mib; peak 20\d\.\d MiB\) in iteration 20/;
    assert.match(ran.stderr, expected);
    const record = readRunRecord(onlyRecord(join(directory, "runs")));
    assert.equal(record.status, "failed");
    assert.match(record.error ?? "", expected);
    const appB = record.enclaves.find((enclave) => enclave.component === "appB");
    assert.equal(appB?.exit?.signal, "SIGKILL");
    assert.equal(appB?.exit?.memoryLimit?.limitMib, 200);
    assert.equal(appB?.resources?.memoryLimitMib, 200);
    assert.ok((appB?.resources?.oomKills ?? 0) >= 1);
    assert.ok((appB?.resources?.peakMemoryBytes ?? 0) >= 200 * 2 ** 20 * 0.95);
    assert.deepEqual(cgroupsOf(cli.child.pid as number), []);
  },
);

test(
  "every enclave's peak memory and CPU time reach the run record, with the limits it ran under",
  needs(CGROUPS, SETPRIV),
  async (t) => {
    const directory = scratchDirectory(t);
    const file = limitedSeed(directory, "      memory_mib: 512\n      cpu_weight: 50\n");
    const cli = startCli(t, ["run", file, "--quiet", "--results", join(directory, "runs")]);
    const ran = await runToEnd(cli);
    assert.equal(ran.code, 0, ran.stderr);
    const record = readRunRecord(onlyRecord(join(directory, "runs")));
    assert.equal(record.status, "completed");
    for (const enclave of record.enclaves) {
      const usage = enclave.resources;
      assert.ok(usage !== undefined, `${enclave.component} has its usage`);
      assert.equal(usage.cgroup, cgroupHost().version === 2 ? "v2" : "v1");
      // A Node component holds tens of MiB and spends its 30 iterations' work: neither can be zero.
      assert.ok(usage.peakMemoryBytes > 8 * 2 ** 20, `${enclave.component} peak ${usage.peakMemoryBytes}`);
      assert.ok(usage.cpuTimeNs > 0, `${enclave.component} CPU ${usage.cpuTimeNs}`);
      assert.equal(usage.oomKills, 0);
    }
    const [appA, appB] = ["appA", "appB"].map((name) => record.enclaves.find((enclave) => enclave.component === name));
    assert.equal(appA?.resources?.memoryLimitMib, undefined);
    assert.equal(appB?.resources?.memoryLimitMib, 512);
    assert.equal(appB?.resources?.cpuWeight, 50);
    assert.deepEqual(cgroupsOf(cli.child.pid as number), []);
  },
);

test("validate refuses limits a thread or a VM cannot honour, at their keys", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "kinds.yaml");
  writeFileSync(
    file,
    readFileSync(SEED, "utf8")
      .replace(
        "appA:\n    enclave:\n      kind: process\n",
        "appA:\n    enclave:\n      kind: thread\n      cpu_weight: 200\n",
      )
      .replace(
        "appB:\n    enclave:\n      kind: process\n",
        "appB:\n    enclave:\n      kind: vm\n      memory_mib: 512\n",
      ),
  );
  const ran = await runToEnd(startCli(t, ["validate", "--no-check-files", file]));
  assert.equal(ran.code, 2, ran.stderr);
  const output = `${ran.stdout}\n${ran.stderr}`;
  assert.match(
    output,
    /kinds\.yaml:15:7: .*component "appA" runs in a thread enclave, which shares the driver's process: it cannot have cpu_weight/,
  );
  assert.match(output, /kinds\.yaml:26:7: .*component "appB" runs in a VM, whose memory is its guest's/);
  assert.match(output, /vm: \{ memory_mib: N \}/);
});

test(
  "on a host without cgroups, doctor says so and run refuses a composition that asks for limits, by key",
  needs(CGROUPS),
  async (t) => {
    const directory = scratchDirectory(t);
    const file = limitedSeed(directory, "      memory_mib: 512\n");
    // A private mount namespace without the cgroup tree: the host as one without cgroups sees it.
    const withoutCgroups = (args: string[]) =>
      spawnSync(
        "unshare",
        [
          "-m",
          "--",
          "sh",
          "-c",
          'umount -R /sys/fs/cgroup && exec "$@"',
          "no-cgroups",
          process.execPath,
          join(projectRoot, "bin/conflux.js"),
          ...args,
        ],
        { encoding: "utf8", timeout: 120_000 },
      );
    const doctor = withoutCgroups(["doctor"]);
    assert.match(
      doctor.stdout,
      /✗ enclave limits \(memory_mib, cpu_weight\)\n {4}MISSING cgroups for enclave limits and usage: no usable cgroups: .*no cgroup file system is mounted/,
    );
    const run = withoutCgroups(["run", file, "--quiet", "--results", join(directory, "runs")]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(
      run.stderr,
      /limited\.yaml:25:7: .*component "appB" asks for memory_mib, and this host has no cgroups the driver can use: .*no cgroup file system is mounted/,
    );
    assert.match(run.stderr, /conflux doctor/);
    // Nothing started: no run record, no component.
    assert.deepEqual(readdirSync(directory).includes("runs") ? readdirSync(join(directory, "runs")) : [], []);
  },
);
