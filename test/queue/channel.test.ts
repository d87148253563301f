import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { PeerOpcode } from "../../src/bench/queue-peer.ts";
import { native } from "../../src/native/index.ts";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import type { WaitKind } from "../../src/queue/wait-strategy.ts";
import { removeRunDirectory } from "../../src/shm/run-directory.ts";
import { runToEnd, startFixture } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";

const PEER = "../src/bench/queue-peer-main.ts";

for (const [kind, count] of [
  ["spin", 100_000],
  ["hybrid", 100_000],
  ["block", 5_000],
  ["backoff", 20_000],
] as const) {
  test(`${kind}: FIFO with no loss and no duplicates through many wrap-arounds, across processes`, async (t) => {
    const run = scratchRun(t);
    // Eight records: a hundred thousand messages wrap the ring 12,500 times.
    const channel = Channel.create(run, "fifo", { capacity: 8, wait: { kind: kind as WaitKind, timeoutNs: 60e9 } });
    t.after(() => channel.close());
    const peer = startFixture(t, PEER, [run.directory, "fifo", kind, "50000"]);
    const message = new Message();
    for (let index = 0; index < count; index++) channel.send(message.set(PeerOpcode.flood, index));
    const reply = new Message();
    channel.request(message.set(PeerOpcode.floodEnd), reply);
    assert.equal(reply.opcode, PeerOpcode.floodEnd);
    assert.equal(reply.payload[0], count, "every message arrived once");
    assert.equal(reply.payload[1], (count * (count - 1)) / 2, "with its own payload");
    assert.equal(reply.payload[2], 0, "in the order sent");
    channel.send(message.set(PeerOpcode.stop));
    assert.deepEqual(await peer.exited, { code: 0, signal: null });
  });
}

test("request/reply pairs each answer with its request across processes", async (t) => {
  const run = scratchRun(t);
  const channel = Channel.create(run, "ping", { wait: { kind: "hybrid" } });
  t.after(() => channel.close());
  const peer = startFixture(t, PEER, [run.directory, "ping", "hybrid", "50000"]);
  const request = new Message();
  const reply = new Message();
  for (let index = 0; index < 1000; index++) {
    channel.request(request.set(PeerOpcode.ping, index, -index), reply);
    assert.equal(reply.opcode, PeerOpcode.pong);
    assert.equal(reply.correlation, request.sequence);
    assert.equal(reply.payload[0], index);
    assert.equal(reply.payload[1], -index);
  }
  channel.send(request.set(PeerOpcode.stop));
  assert.deepEqual(await peer.exited, { code: 0, signal: null });
});

for (const kind of ["spin", "hybrid", "block", "backoff"] as const) {
  test(`${kind}: a peer killed with SIGKILL while the other side waits is reported as dead, by name and pid, long before the wait's timeout`, async (t) => {
    const driver = startFixture(t, "queue/fixtures/waiting-driver.ts", [kind]);
    const directory = await driver.nextLine();
    t.after(() => removeRunDirectory(directory));
    const victim = startFixture(t, PEER, [directory, "watched", kind, "50000"]);
    assert.equal(await driver.nextLine(), `attached ${victim.child.pid}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const killedAt = native.monotonicNs();
    victim.child.kill("SIGKILL");
    const line = await driver.nextLine();
    const match = /^error (\d+(?:\.\d+)?) PeerDiedError: (.*)$/.exec(line);
    assert.ok(match, `expected a PeerDiedError, got: ${line}`);
    const noticedAfterMs = (Number(match[1]) - killedAt) / 1e6;
    // The wait's own timeout is 50 s: an answer well inside it came from the liveness check, not the timeout.
    // How soon is a figure for the benchmarks; this bound only tells the two apart.
    assert.ok(noticedAfterMs < 5000, `death noticed after ${noticedAfterMs.toFixed(1)} ms`);
    t.diagnostic(`death noticed ${noticedAfterMs.toFixed(1)} ms after the SIGKILL`);
    assert.match(
      match[2] ?? "",
      new RegExp(`component "victim" \\(process enclave\\) \\(pid ${victim.child.pid}\\) died`),
    );
    assert.deepEqual(await driver.exited, { code: 0, signal: null });
  });
}

test("a component whose driver dies stops waiting and says so", async (t) => {
  const driver = startFixture(t, "queue/fixtures/waiting-driver.ts", ["hybrid"]);
  const directory = await driver.nextLine();
  t.after(() => removeRunDirectory(directory));
  const component = startFixture(t, PEER, [directory, "watched", "hybrid", "50000"]);
  await driver.nextLine();
  const driverPid = driver.child.pid;
  driver.child.kill("SIGKILL");
  const ended = await runToEnd(component);
  assert.notEqual(ended.code, 0);
  assert.match(
    ended.stderr,
    new RegExp(`PeerDiedError: channel "watched" \\(component side\\): the driver \\(pid ${driverPid}\\) died`),
  );
});

test("a peer that closes the channel wakes the waiter at once with PeerClosedError", (t) => {
  const run = scratchRun(t);
  const driver = Channel.create(run, "closing", { wait: { kind: "block", timeoutNs: 5e9 } });
  const component = Channel.attach(run, "closing", { wait: { kind: "block", timeoutNs: 5e9 } });
  t.after(() => driver.close());
  const message = new Message();
  component.send(message.set(7, 1));
  component.close();
  driver.receive(message);
  assert.equal(message.opcode, 7, "what was sent before closing is still delivered");
  assert.throws(() => driver.receive(message), {
    name: "PeerClosedError",
    message: /channel "closing" \(driver side\): the component on channel "closing" \(pid \d+\) closed the channel/,
  });
});

test("a wait that nobody answers times out and names the peer", (t) => {
  const run = scratchRun(t);
  const driver = Channel.create(run, "quiet", {
    wait: { kind: "hybrid", spinNs: 1000, timeoutNs: 30e6 },
    peerDescription: 'component "appB"',
  });
  const component = Channel.attach(run, "quiet");
  t.after(() => {
    component.close();
    driver.close();
  });
  assert.throws(() => driver.receive(new Message()), {
    name: "QueueTimeoutError",
    message: /channel "quiet" \(driver side\): component "appB" \(pid \d+\) did not send within 30 ms/,
  });
});

/**
 * A waiting process's CPU time (user + system, ms, in 10 ms ticks) and its
 * voluntary context switches: each sleep is one, while a spinner's
 * sched_yield never is, however loaded the machine (a yielding task stays
 * runnable). Both are the main thread's, which is the one that waits.
 */
function waitingCost(pid: number): { cpuMs: number; sleeps: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const sleeps = Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? Number.NaN);
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, sleeps };
}

test("backoff: a long wait sleeps between polls instead of holding a CPU, as spin does", async (t) => {
  const cost = new Map<string, { cpuMs: number; sleeps: number }>();
  for (const kind of ["spin", "backoff"] as const) {
    const run = scratchRun(t);
    const channel = Channel.create(run, "idle", { wait: { kind: "hybrid", timeoutNs: 60e9 } });
    t.after(() => channel.close());
    const peer = startFixture(t, PEER, [run.directory, "idle", kind, "50000"]);
    while (channel.componentPid === 0) {
      assert.equal(peer.child.exitCode, null, peer.stderr());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The peer now waits for a message that comes only after 600 ms.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = waitingCost(channel.componentPid);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const after = waitingCost(channel.componentPid);
    cost.set(kind, { cpuMs: after.cpuMs - before.cpuMs, sleeps: after.sleeps - before.sleeps });
    channel.send(new Message().set(PeerOpcode.stop));
    assert.deepEqual(await peer.exited, { code: 0, signal: null });
  }
  const spin = cost.get("spin") ?? { cpuMs: 0, sleeps: 0 };
  const backoff = cost.get("backoff") ?? { cpuMs: 0, sleeps: 0 };
  const said = `spin ${JSON.stringify(spin)}, backoff ${JSON.stringify(backoff)} over 600 ms`;
  assert.ok(backoff.cpuMs <= 120, `a backoff waiter held a CPU: ${said}`);
  // Sleeps of at most 1 ms: hundreds of them in 600 ms, where a spinner has next to none.
  assert.ok(backoff.sleeps >= 100, `a backoff waiter slept too seldom: ${said}`);
  assert.ok(spin.sleeps * 10 < backoff.sleeps, `the measure tells spinning from sleeping: ${said}`);
});
