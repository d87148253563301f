// The same cross-process tests for every client's echo peer (the far side of
// `conflux bench queue`): a TypeScript driver on one side of a channel, the
// client's peer, a real process, on the other.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { PeerOpcode } from "../../src/bench/queue-peer.ts";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import type { WaitKind } from "../../src/queue/wait-strategy.ts";
import { removeRunDirectory } from "../../src/shm/run-directory.ts";
import { slotSequenceTests } from "../queue/slot-sequence-cases.ts";
import { startFixture } from "../support/child-process.ts";
import type { Gate } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { type Program, startProgram } from "./programs.ts";

export interface PeerTests {
  language: string;
  /** node:test options: what the client needs here (a compiler, a python3), from test/support/requirements.ts. */
  options: Gate;
  /** The peer's command line for RUN_DIR CHANNEL KIND SPIN_NS. */
  command(runDirectory: string, channel: string, kind: WaitKind): string[];
  environment?: Record<string, string>;
  /** Messages per FIFO test: fewer for a slow client. */
  counts: Record<WaitKind, number>;
}

async function attached(channel: Channel, peer: Program): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (channel.componentPid === 0) {
    if (peer.child.exitCode !== null) throw new Error(`the peer exited before attaching: ${peer.stderr()}`);
    if (Date.now() > deadline) throw new Error(`the peer did not attach within 20 s: ${peer.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return channel.componentPid;
}

export function peerTests(spec: PeerTests): void {
  const options = spec.options;
  const start = (t: TestContext, directory: string, name: string, kind: WaitKind): Program =>
    startProgram(t, spec.command(directory, name, kind), spec.environment);
  slotSequenceTests({ language: spec.language, options, start });

  for (const kind of ["spin", "hybrid", "block", "backoff"] as const) {
    const count = spec.counts[kind];
    test(
      `${spec.language} peer, ${kind}: FIFO with no loss and no duplicates through many wrap-arounds, across processes`,
      options,
      async (t) => {
        const run = scratchRun(t);
        const channel = Channel.create(run, "fifo", { capacity: 8, wait: { kind, timeoutNs: 60e9 } });
        t.after(() => channel.close());
        const peer = start(t, run.directory, "fifo", kind);
        await attached(channel, peer);
        const message = new Message();
        for (let index = 0; index < count; index++) channel.send(message.set(PeerOpcode.flood, index));
        const reply = new Message();
        channel.request(message.set(PeerOpcode.floodEnd), reply);
        assert.equal(reply.opcode, PeerOpcode.floodEnd);
        assert.equal(reply.length, 24);
        assert.equal(reply.payload[0], count, "every message arrived once");
        assert.equal(reply.payload[1], (count * (count - 1)) / 2, "with its own payload");
        assert.equal(reply.payload[2], 0, "in the order sent");
        channel.send(message.set(PeerOpcode.stop));
        assert.deepEqual(await peer.exited, { code: 0, signal: null }, peer.stderr());
      },
    );
  }

  test(
    `${spec.language} peer: each reply answers its request, with its payload, across processes`,
    options,
    async (t) => {
      const run = scratchRun(t);
      const channel = Channel.create(run, "ping", { capacity: 4, wait: { kind: "hybrid", timeoutNs: 60e9 } });
      t.after(() => channel.close());
      const peer = start(t, run.directory, "ping", "hybrid");
      assert.equal(await attached(channel, peer), peer.child.pid, "the peer wrote its pid into the control line");
      const request = new Message();
      const reply = new Message();
      for (let index = 0; index < 1000; index++) {
        channel.request(request.set(PeerOpcode.ping, index + 0.5, -index), reply);
        assert.equal(reply.opcode, PeerOpcode.pong);
        assert.equal(reply.correlation, request.sequence);
        assert.equal(reply.payload[0], index + 0.5);
        assert.equal(reply.payload[1], -index);
      }
      channel.send(request.set(PeerOpcode.stop));
      assert.deepEqual(await peer.exited, { code: 0, signal: null }, peer.stderr());
    },
  );

  test(
    `${spec.language} peer: a record with an opcode it does not know is refused, not delivered`,
    options,
    async (t) => {
      const run = scratchRun(t);
      const channel = Channel.create(run, "garbage", { wait: { kind: "hybrid", timeoutNs: 60e9 } });
      t.after(() => channel.close());
      const peer = start(t, run.directory, "garbage", "hybrid");
      await attached(channel, peer);
      channel.send(new Message().set(0x7777));
      const status = await peer.exited;
      assert.equal(status.code, 1);
      assert.match(peer.stderr(), /unknown opcode 0x7777 from the driver at position 0/);
    },
  );

  test(`${spec.language} peer: a driver that closes the channel ends the peer's wait at once`, options, async (t) => {
    const run = scratchRun(t);
    const channel = Channel.create(run, "closing", { wait: { kind: "block", timeoutNs: 60e9 } });
    const peer = start(t, run.directory, "closing", "block");
    await attached(channel, peer);
    channel.close();
    const status = await peer.exited;
    assert.equal(status.code, 1);
    assert.match(
      peer.stderr(),
      new RegExp(`channel "closing" \\(component side\\): the driver \\(pid ${process.pid}\\) closed the channel`),
    );
  });

  test(
    `${spec.language} peer: a driver killed with SIGKILL while the peer waits is reported by the peer, with its pid`,
    options,
    async (t) => {
      const driver = startFixture(t, "queue/fixtures/waiting-driver.ts", ["hybrid"]);
      const directory = await driver.nextLine();
      t.after(() => removeRunDirectory(directory));
      const peer = start(t, directory, "watched", "hybrid");
      assert.equal(await driver.nextLine(), `attached ${peer.child.pid}`);
      const driverPid = driver.child.pid;
      driver.child.kill("SIGKILL");
      const status = await peer.exited;
      assert.equal(status.code, 1);
      assert.match(
        peer.stderr(),
        new RegExp(
          `channel "watched" \\(component side\\): the driver \\(pid ${driverPid}\\) died while this side waited`,
        ),
      );
    },
  );

  test(
    `${spec.language} peer: a peer killed with SIGKILL while the TypeScript driver waits is reported by name and pid`,
    options,
    async (t) => {
      const driver = startFixture(t, "queue/fixtures/waiting-driver.ts", ["hybrid"]);
      const directory = await driver.nextLine();
      t.after(() => removeRunDirectory(directory));
      const peer = start(t, directory, "watched", "hybrid");
      assert.equal(await driver.nextLine(), `attached ${peer.child.pid}`);
      peer.child.kill("SIGKILL");
      const line = await driver.nextLine();
      assert.match(
        line,
        new RegExp(
          `^error \\d+ PeerDiedError: .*component "victim" \\(process enclave\\) \\(pid ${peer.child.pid}\\) died`,
        ),
      );
    },
  );
}
