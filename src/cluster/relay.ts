// A component that runs on another node, as the driver sees it: a process on
// the driver's node that joins the run under the component's name, attaches
// its channel, and passes everything to and from the agent of the component's
// node over TCP. Before a record that passes the turn to the component (ack,
// go, window, stop) it sends the component's segments as they are here; the
// agent does the same the other way (segment-mirror.ts). It prints what the
// component prints, and ends as the component ended: the same exit code, or
// killed by the same signal, so the driver's own account of the end holds. A
// lost agent (no frame for a second) is an exit that says so.
import { connect, type Socket } from "node:net";
import { Channel } from "../queue/channel.ts";
import { Message } from "../queue/message.ts";
import type { WaitStrategy } from "../queue/wait-strategy.ts";
import { Run } from "../shm/run.ts";
import { ControlWord } from "../wire/channel.ts";
import {
  COMPONENT_NAME_VARIABLE,
  NODE_LOST_EXIT,
  RANK_VARIABLE,
  RANKS_VARIABLE,
  rankedName,
  WAIT_VARIABLE,
} from "../wire/environment.ts";
import { LINK_COUNTERS_BYTES, linkCountersSegmentName, writeLinkCounters } from "../wire/link-counters.ts";
import { channelName } from "../wire/protocol.ts";
import { CACHE_LINE } from "../wire/ring.ts";
import type { RemoteLaunch } from "./agent.ts";
import { ChannelPump } from "./channel-pump.ts";
import { encodeFrame, FrameReader, FrameType, jsonFrame } from "./frames.ts";
import { LOST_AFTER_MS, PeerWatch } from "./peer-watch.ts";
import { decodeRecord, encodeRecord } from "./record-codec.ts";
import { AGENT_VARIABLE, REMOTE_LAUNCH_VARIABLE } from "./relay-environment.ts";
import { SegmentMirror } from "./segment-mirror.ts";
import { TURN_TO_COMPONENT } from "./turns.ts";

interface ExitFrame {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
  /** The kernel killed it on its node for exceeding its enclave's memory_mib. */
  memoryLimit?: { limitMib: number; peakBytes: number };
}

export function runRelay(environment: NodeJS.ProcessEnv = process.env): void {
  // One rank of many is its own participant, with its own channel and segments (docs/parallel.md).
  const ranks = Number(environment[RANKS_VARIABLE] ?? 1);
  const rank = Number(environment[RANK_VARIABLE] ?? 0);
  const name = rankedName(environment[COMPONENT_NAME_VARIABLE] ?? "", rank, ranks);
  const agent = environment[AGENT_VARIABLE] ?? "";
  const remote = JSON.parse(environment[REMOTE_LAUNCH_VARIABLE] ?? "{}") as RemoteLaunch;
  const [host = "", portText = ""] = agent.split(/:(?=\d+$)/);
  const where = `relay of component ${name} to the agent at ${agent}`;
  const wait = JSON.parse(environment[WAIT_VARIABLE] ?? "{}") as Partial<WaitStrategy>;
  const run = Run.fromEnvironment(environment);
  const channel = Channel.attach(run, channelName(name), { wait });
  const mirror = new SegmentMirror(run, name, where, true);
  // What crossed, for the run record: updated at every record, read by the driver once this relay has ended.
  const link = run.createSegment(linkCountersSegmentName(name), LINK_COUNTERS_BYTES);
  const linkView = new DataView(link.buffer, link.payloadOffset, LINK_COUNTERS_BYTES);
  const counters = { bytesToNode: 0, bytesFromNode: 0, records: 0 };
  const count = (): void => {
    counters.bytesToNode = mirror.bytesSent;
    counters.bytesFromNode = mirror.bytesReceived;
    counters.records++;
    writeLinkCounters(linkView, counters);
  };
  writeLinkCounters(linkView, counters);
  const incoming = new Message();
  const outgoing = new Message();
  let ended = false;
  /** The component's node, once its agent has said (the agent's address until then). */
  let node = agent;

  const socket: Socket = connect({ host, port: Number(portText) });
  socket.setNoDelay(true);
  const watch = new PeerWatch(
    () => socket.write(encodeFrame(FrameType.heartbeat, Buffer.alloc(0))),
    () => lose(`the agent at ${agent} sent nothing for ${LOST_AFTER_MS} ms: its node or its network is down`),
  );

  const pump = new ChannelPump(
    channel,
    incoming,
    (message) => {
      if (TURN_TO_COMPONENT.has(message.opcode)) for (const frame of mirror.frames()) socket.write(frame);
      socket.write(encodeFrame(FrameType.record, encodeRecord(message)));
      count();
    },
    (error) => lose(`the driver's channel failed: ${error.message}`),
  );

  const finish = (): void => {
    ended = true;
    watch.close();
    pump.stop();
    mirror.close();
    link.close();
    socket.destroy();
  };

  function lose(reason: string): void {
    if (ended) return;
    process.stderr.write(`conflux: component ${name} on ${node}: ${reason}\n`);
    finish();
    channel.close();
    run.close();
    process.exit(NODE_LOST_EXIT);
  }

  function exitAs(status: ExitFrame): void {
    if (status.error !== undefined) process.stderr.write(`${status.error}\n`);
    const memory = status.memoryLimit;
    if (memory !== undefined && Number.isFinite(memory.limitMib) && Number.isFinite(memory.peakBytes)) {
      // The relay ends as the component did (SIGKILL); the reason crosses as this line.
      process.stderr.write(
        `conflux: component ${name} on ${node} was killed by the kernel for exceeding its enclave's memory limit of ${memory.limitMib} MiB (memory_mib; peak ${(memory.peakBytes / 2 ** 20).toFixed(1)} MiB)\n`,
      );
    }
    finish();
    // Closed as the component closed it: the driver stops waiting and asks how the process ended.
    channel.close();
    run.close();
    if (status.signal !== null) {
      process.removeAllListeners("SIGTERM");
      process.kill(process.pid, status.signal);
    }
    process.exit(status.code ?? 1);
  }

  const reader = new FrameReader((type, payload) => {
    switch (type) {
      case FrameType.launched: {
        const launched = JSON.parse(payload.toString("utf8")) as { node: string; pid: number };
        node = launched.node;
        // The driver names a component by the pid its channel holds: the component's own, on its node.
        if (Number.isInteger(launched.pid) && launched.pid > 0) {
          Atomics.store(channel.segment.int32(0, CACHE_LINE / 4), ControlWord.componentPid, launched.pid);
        }
        pump.start();
        return;
      }
      case FrameType.segment:
        mirror.apply(payload);
        return;
      case FrameType.record:
        decodeRecord(payload, outgoing, where);
        channel.send(outgoing);
        pump.kick();
        count();
        return;
      case FrameType.output:
        process.stdout.write(payload);
        return;
      case FrameType.exit:
        exitAs(JSON.parse(payload.toString("utf8")) as ExitFrame);
        return;
      case FrameType.heartbeat:
        return;
      default:
        lose(`a frame of unknown type ${type}`);
    }
  }, where);

  // The component waits for its agent as it would for the driver: the driver's wait, which this relay was given.
  const waitSetting = environment[WAIT_VARIABLE];
  const told: Record<string, string> = { [RANKS_VARIABLE]: String(ranks) };
  if (ranks > 1) told[RANK_VARIABLE] = String(rank);
  if (waitSetting !== undefined) told[WAIT_VARIABLE] = waitSetting;
  const launch: RemoteLaunch = {
    ...remote,
    participant: name,
    launch: { ...remote.launch, env: { ...remote.launch.env, ...told } },
  };
  socket.on("connect", () => socket.write(jsonFrame(FrameType.launch, launch)));
  socket.on("data", (chunk: Buffer) => {
    watch.heard();
    try {
      reader.push(chunk);
    } catch (error) {
      lose((error as Error).message);
    }
  });
  socket.on("error", (error) => lose(`the connection failed: ${error.message}`));
  socket.on("close", () => lose("the agent closed the connection"));
  // The driver stops the component through its relay: the agent stops it, and its exit ends the relay.
  process.on("SIGTERM", () => {
    // Before its agent has connected, or after it went, there is nothing to ask: end now.
    if (ended || !socket.writable) {
      lose("stopped before its component could be asked to stop");
      return;
    }
    socket.write(jsonFrame(FrameType.stop, { graceMs: 1000 }));
    setTimeout(() => lose("the component did not stop within 2 s of being asked"), 2000).unref();
  });
}
