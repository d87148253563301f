// The simulated cluster itself (scripts/simulated-cluster.sh): two nodes that
// Slurm schedules onto, each with its own hostname and address on a network of
// its own, its own /dev/shm and System V IPC (so shared memory cannot cross
// nodes), a batch job that runs on them, and a teardown that leaves no
// namespace and no daemon.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { needs, SLURM } from "../support/requirements.ts";
import { simulatedNamespaces, startCluster } from "../support/simulated-cluster.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("two simulated nodes: their own hostname, address, /dev/shm and IPC; srun and sbatch; nothing left after down", {
  ...needs(SLURM),
  timeout: 180_000,
}, (t) => {
  const cluster = startCluster(t, 2);
  const daemons = readdirSync(join(cluster.directory, "run"))
    .filter((file) => /^(slurmd-node\d+|slurmctld|munged)\.pid$/.test(file))
    .map((file) => Number(readFileSync(join(cluster.directory, "run", file), "utf8")));
  assert.equal(daemons.length, 4, "slurmctld, munged and a slurmd per node");

  const placed = cluster.run("ctl", [
    "srun",
    "-N2",
    "-l",
    "sh",
    "-c",
    'echo "$(hostname) $(ip -4 -o addr show eth0 | tr -s " " | cut -d" " -f4)"; touch /dev/shm/conflux-cluster-probe-$(hostname); ls /dev/shm; ipcmk -M 4096 >/dev/null; ipcs -m | grep -c "^0x"',
  ]);
  assert.equal(placed.status, 0, placed.stderr);
  const byTask = new Map<string, string[]>();
  for (const line of placed.stdout.trim().split("\n")) {
    const [task = "", ...rest] = line.split(": ");
    byTask.set(task, [...(byTask.get(task) ?? []), rest.join(": ")]);
  }
  assert.deepEqual([...byTask.keys()].sort(), ["0", "1"]);
  const nodes = [...byTask.values()].map((lines) => lines[0]).sort();
  assert.deepEqual(nodes, ["node1 10.77.0.1/24", "node2 10.77.0.2/24"]);
  for (const [task, lines] of byTask) {
    const host = (lines[0] as string).split(" ")[0];
    assert.deepEqual(lines.slice(1, -1), [`conflux-cluster-probe-${host}`], `task ${task} sees only its own /dev/shm`);
    assert.equal(lines.at(-1), "1", `task ${task} sees only its own System V segment`);
  }
  assert.deepEqual(
    readdirSync("/dev/shm").filter((name) => name.startsWith("conflux-cluster-probe-")),
    [],
    "nothing reached the host's /dev/shm",
  );

  const script = join(cluster.directory, "job.sh");
  const output = join(cluster.directory, "job.out");
  writeFileSync(script, "#!/bin/sh\nsrun hostname | sort\n");
  const batch = cluster.run("ctl", ["sbatch", "-N2", "--wait", "-o", output, script]);
  assert.equal(batch.status, 0, batch.stderr);
  assert.match(batch.stdout, /^Submitted batch job \d+$/m);
  assert.equal(readFileSync(output, "utf8"), "node1\nnode2\n");

  const prefix = cluster.prefix;
  assert.ok(simulatedNamespaces().filter((name) => name.startsWith(prefix)).length === 4, "switch, ctl, node1, node2");
  cluster.down();
  assert.deepEqual(
    simulatedNamespaces().filter((name) => name.startsWith(prefix)),
    [],
  );
  assert.deepEqual(
    daemons.filter((pid) => alive(pid)),
    [],
    "no daemon outlives down",
  );
});
