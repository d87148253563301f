import assert from "node:assert/strict";
import { spawn } from "node:child_process";
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

test("liveness: this process lives, a reaped child and a zombie do not", async () => {
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
