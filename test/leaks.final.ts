// Runs after every other test file (see run.js): the suite must leave nothing
// of ours behind in /dev/shm, /tmp, the process table, the cgroup tree or the network namespaces,
// whether tests passed or not.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { reapDeadCgroups } from "../src/enclave/resources/cgroup-reaper.ts";

function before(variable: string): Set<string> {
  return new Set(JSON.parse(process.env[variable] ?? "[]") as string[]);
}

test("no conflux run directories are left in /dev/shm", () => {
  const existing = before("CONFLUX_TEST_SHM_BEFORE");
  const left = readdirSync("/dev/shm").filter((name) => name.startsWith("conflux-") && !existing.has(name));
  assert.deepEqual(left, []);
});

test("no conflux temporary files are left in /tmp", () => {
  const existing = before("CONFLUX_TEST_TMP_BEFORE");
  const left = readdirSync("/tmp").filter((name) => name.startsWith("conflux-") && !existing.has(name));
  assert.deepEqual(left, []);
});

test("no simulated cluster's network namespace or munge directory is left", () => {
  const left = existsSync("/run/netns") ? readdirSync("/run/netns").filter((name) => name.startsWith("cfxsim-")) : [];
  assert.deepEqual(left, []);
  assert.deepEqual(
    readdirSync("/run").filter((name) => name.startsWith("cfxsim-")),
    [],
  );
});

test("the OCI tools the tests ran (Podman, Buildah, Skopeo) left no state of theirs on the host", () => {
  const existing = before("CONFLUX_TEST_OCI_BEFORE");
  const state = ["/dev/shm/libpod_lock", "/run/libpod", "/run/containers", "/var/lib/containers"];
  assert.deepEqual(
    state.filter((path) => existsSync(path) && !existing.has(path)),
    [],
  );
});

test("no enclave cgroup of a driver that has ended is left in the cgroup tree", () => {
  // Drivers still running (another suite's, a user's run) keep theirs; every test's driver has ended by now.
  const left = reapDeadCgroups({ dryRun: true }).map((cgroup) => cgroup.directory);
  assert.deepEqual(left, []);
});

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

test("no process started by the suite is still running", () => {
  const marker = process.env.CONFLUX_TEST_MARKER;
  assert.ok(marker, "run the suite through `npm test`, which sets the marker");
  // This process, its ancestors (the runner) and its own helpers (tsx's esbuild
  // service) are not stragglers; an earlier test's leftover has been reparented.
  const ancestors = new Set<number>();
  for (let pid = process.pid; pid > 1; pid = parentOf(pid)) ancestors.add(pid);
  const stragglers: string[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || ancestors.has(pid) || parentOf(pid) === process.pid) continue;
    try {
      const environment = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (environment.includes(`CONFLUX_TEST_MARKER=${marker}`)) {
        stragglers.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`);
      }
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  assert.deepEqual(stragglers, []);
});
