// An enclave's cgroup, across real processes: the limits written where the
// kernel reads them, a process that joins before it execs (same pid, inside
// from its first page), what the cgroup saw of it, removal that leaves nothing
// (stragglers killed), and the reaping of a dead driver's cgroups.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cgroupBases, cgroupHost, probeCgroupHost } from "../../../src/enclave/resources/cgroup-host.ts";
import { reapDeadCgroups } from "../../../src/enclave/resources/cgroup-reaper.ts";
import { cpuSharesOf, EnclaveCgroup } from "../../../src/enclave/resources/enclave-cgroup.ts";
import { native } from "../../../src/native/index.ts";
import { processStartTicks } from "../../../src/shm/process-identity.ts";
import { CGROUPS, needs } from "../../support/requirements.ts";

const MIB = 1024 * 1024;

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    output += text;
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

function limitFiles(cgroup: EnclaveCgroup): { memory: string; cpu: string } {
  const host = cgroup.host;
  const leaf = (cgroup.directories[0] as string).split("/").at(-1) as string;
  if (host.version === 2) {
    const directory = cgroup.directories[0] as string;
    return { memory: join(directory, "memory.max"), cpu: join(directory, "cpu.weight") };
  }
  return { memory: join(host.memory, leaf, "memory.limit_in_bytes"), cpu: join(host.cpu, leaf, "cpu.shares") };
}

test(
  "a cgroup holds its limits, a process joins it before it execs, and its use is counted",
  needs(CGROUPS),
  async (t) => {
    const host = cgroupHost();
    assert.notEqual(host.version, 0);
    if (host.version === 0) return;
    const cgroup = EnclaveCgroup.create(host, "solver", { memoryMib: 96, cpuWeight: 50 });
    t.after(() => cgroup.remove());
    const files = limitFiles(cgroup);
    assert.equal(Number(readFileSync(files.memory, "utf8")), 96 * MIB);
    assert.equal(Number(readFileSync(files.cpu, "utf8")), host.version === 2 ? 50 : cpuSharesOf(50));

    // Busy for a while (CPU time to count), then it says which cgroups it is in.
    const script = "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; echo $$; cat /proc/self/cgroup";
    const child = spawn(cgroup.joinPrefix()[0] as string, [...cgroup.joinPrefix().slice(1), "/bin/sh", "-c", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const { code, output } = await exited(child);
    assert.equal(code, 0);
    const [pid, ...memberships] = output.trim().split("\n");
    // exec, not fork: the component's pid is the one its supervisor spawned.
    assert.equal(Number(pid), child.pid);
    const leaf = (cgroup.directories[0] as string).split("/").at(-1) as string;
    const inside = memberships.filter((line) => line.endsWith(`/${leaf}`));
    assert.equal(inside.length, host.version === 2 ? 1 : 3, memberships.join("\n"));

    const usage = cgroup.usage();
    assert.equal(usage.cgroup, host.version === 2 ? "v2" : "v1");
    assert.ok(usage.cpuTimeNs > 0, `CPU time ${usage.cpuTimeNs}`);
    assert.ok(usage.peakMemoryBytes > 0, `peak ${usage.peakMemoryBytes}`);
    assert.equal(usage.oomKills, 0);
    assert.equal(usage.memoryLimitMib, 96);
    assert.equal(usage.cpuWeight, 50);
    cgroup.remove();
    for (const directory of cgroup.directories) assert.equal(existsSync(directory), false, directory);
  },
);

test("removing a cgroup kills what is left in it, so nothing stays in the tree", needs(CGROUPS), async (t) => {
  const host = cgroupHost();
  if (host.version === 0) return;
  const cgroup = EnclaveCgroup.create(host, "leaver", {});
  t.after(() => cgroup.remove());
  // The process leaves a grandchild behind and ends: the straggler is still in the cgroup.
  const child = spawn(
    cgroup.joinPrefix()[0] as string,
    [...cgroup.joinPrefix().slice(1), "/bin/sh", "-c", "sleep 600 & echo $!"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const { output } = await exited(child);
  const straggler = Number(output.trim());
  t.after(() => {
    if (native.isAlive(straggler)) process.kill(straggler, "SIGKILL");
  });
  assert.ok(native.isAlive(straggler), "the grandchild runs on after its parent ended");
  cgroup.remove();
  for (const directory of cgroup.directories) assert.equal(existsSync(directory), false, directory);
  // Killed; its zombie is its new parent's to reap, so wait for it to leave the process table or turn Z.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && processState(straggler) === "S") await new Promise((r) => setTimeout(r, 10));
  assert.notEqual(processState(straggler), "S");
});

function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] as string;
  } catch {
    return "gone";
  }
}

test("the cgroups of a driver that died are reaped; a live driver's are kept", needs(CGROUPS), async (t) => {
  const host = cgroupHost();
  if (host.version === 0) return;
  // A real process that has ended stands for the dead driver: its pid and start time name the cgroup.
  const gone = spawn("/bin/true");
  const pid = gone.pid as number;
  const ticks = processStartTicks(pid) ?? 0;
  await exited(gone);
  const bases = cgroupBases(host);
  const dead = bases.map((base) => join(base, `conflux-${pid}.${ticks}-solver.1`));
  for (const directory of dead) mkdirSync(directory);
  const live = EnclaveCgroup.create(host, "kept", {});
  t.after(() => {
    live.remove();
    for (const directory of dead) if (existsSync(directory)) rmdirSync(directory);
  });
  const listed = reapDeadCgroups({ dryRun: true });
  assert.deepEqual(
    listed
      .map((found) => found.directory)
      .filter((directory) => dead.includes(directory))
      .sort(),
    [...dead].sort(),
  );
  for (const directory of dead) assert.ok(existsSync(directory), "a dry run removes nothing");
  reapDeadCgroups({ dryRun: false });
  for (const directory of dead) assert.equal(existsSync(directory), false, directory);
  for (const directory of live.directories)
    assert.ok(existsSync(directory), `a live driver's cgroup stays: ${directory}`);
});

test("a host without a cgroup tree, or whose tree the driver may not write, says why", () => {
  const none = probeCgroupHost("22 1 0:20 / /proc rw - proc proc rw\n", "0::/\n");
  assert.equal(none.version, 0);
  if (none.version === 0) assert.match(none.reason, /no cgroup file system is mounted/);
  // v1 without a cpuacct hierarchy: no CPU time could be counted.
  const partial = probeCgroupHost(
    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
    "4:memory:/\n1:cpu:/\n",
  );
  assert.equal(partial.version, 0);
  if (partial.version === 0) assert.match(partial.reason, /no cgroup v1 hierarchy carries cpuacct/);
});
