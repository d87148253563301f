import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { native } from "../../src/native/index.ts";
import { scratchRun } from "../support/scratch-run.ts";

test("the monotonic clock advances in nanoseconds and agrees with Node's", () => {
  const first = native.monotonicNs();
  const node = Number(process.hrtime.bigint());
  const second = native.monotonicNs();
  assert.ok(second >= first);
  assert.ok(Math.abs(node - first) < 1e9, "both read CLOCK_MONOTONIC");
});

/** The state letter of /proc/<pid>/stat (R, S, Z, …), or undefined when there is no such process. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("liveness: this process lives, a reaped child does not", async () => {
  assert.equal(native.isAlive(process.pid), true);
  const child = spawn("sleep", ["30"]);
  const pid = child.pid ?? 0;
  const fd = native.pidfdOpen(pid);
  assert.equal(native.isAlive(pid), true);
  if (fd >= 0) assert.equal(native.pidfdAlive(fd), true);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  assert.equal(native.isAlive(pid), false);
  if (fd >= 0) {
    assert.equal(native.pidfdAlive(fd), false);
    native.closeFd(fd);
  }
  assert.equal(native.isAlive(0x3fffffff), false);
});

test("liveness: a zombie (ended, not yet reaped) does not live", async (t) => {
  // The shell starts a short sleep in the background, then becomes a long sleep
  // that never waits for it: once the short one ends, it stays a zombie.
  const parent = spawn("sh", ["-c", "sleep 0.2 & exec sleep 30"], { stdio: "ignore" });
  const parentExited = new Promise((resolve) => parent.once("exit", resolve));
  t.after(async () => {
    parent.kill("SIGKILL");
    await parentExited;
  });
  const parentPid = parent.pid ?? 0;
  let zombie = 0;
  await until(() => {
    const children = readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, "utf8").trim();
    zombie = Number(children.split(" ")[0] ?? 0);
    return zombie > 0 && readFileSync(`/proc/${parentPid}/cmdline`, "utf8").startsWith("sleep\u000030");
  }, "the background sleep was not started");
  const fd = native.pidfdOpen(zombie);
  t.after(() => {
    if (fd >= 0) native.closeFd(fd);
  });
  await until(() => processState(zombie) === "Z", `pid ${zombie} did not become a zombie`);
  assert.equal(processState(zombie), "Z", "it is still there, unreaped");
  assert.equal(native.isAlive(zombie), false);
  if (fd >= 0) assert.equal(native.pidfdAlive(fd), false);
});

test("CPU affinity can be read and set", () => {
  const cpus = native.getAffinity(0);
  assert.ok(cpus.length >= 1);
  const first = cpus[0] ?? 0;
  native.setAffinity(0, [first]);
  assert.deepEqual(native.getAffinity(0), [first]);
  native.setAffinity(0, cpus);
  assert.deepEqual(native.getAffinity(0), cpus);
  assert.throws(() => native.setAffinity(0, [-1]), /CPU -1 is out of range/);
});

test("a region of a file maps at a page offset and shares memory with a whole mapping", (t) => {
  const run = scratchRun(t);
  const segment = run.createSegment("arena", 3 * 4096);
  const region = native.mapRegion(segment.path, 4096, 4096, true);
  new Uint8Array(region)[0] = 0xab;
  assert.equal(new Uint8Array(segment.buffer)[4096], 0xab);
  native.unmap(region);
  assert.equal(region.byteLength, 0, "an unmapped buffer is detached, not dangling");
  assert.throws(() => native.mapRegion(segment.path, 100, 4096, true), /bytes 100\.\.4196 do not lie page aligned/);
  assert.throws(
    () => native.mapRegion(segment.path, 8192, 8192, true),
    /bytes 8192\.\.16384 do not lie page aligned in its 12544 bytes/,
  );
});
