// cluster/ owns what crosses nodes: the frames between a component's relay and its node's agent, the relay, the agent.
// It must not know coupling: it moves records and segments for one component, whatever they say.

// A node's agent (`conflux agent`, one per node but the driver's, started by
// srun): it listens for relays, and for each one runs a component on this node
// in the enclave its launch names, with a run directory of this node's own. It
// is that component's driver here: it owns the channel, passes records both
// ways, and keeps the component's segments alike on both nodes
// (segment-mirror.ts), and applies the operators the driver handed over onto the
// component's fields (remote-apply.ts). A relay that stops talking for a second, or goes, takes
// its component down; so does the agent's own end (SIGTERM from srun).
import { createServer, type Server, type Socket } from "node:net";
import { hostname } from "node:os";
import { createEnclave, type Enclave } from "../enclave/index.ts";
import type { EnclaveKind } from "../enclave/kind.ts";
import type { ComponentLaunch } from "../enclave/launch.ts";
import { Channel } from "../queue/channel.ts";
import { Message } from "../queue/message.ts";
import type { WaitStrategy } from "../queue/wait-strategy.ts";
import { Run } from "../shm/run.ts";
import { channelName, Opcode } from "../wire/protocol.ts";
import { ChannelPump } from "./channel-pump.ts";
import { encodeFrame, FrameReader, FrameType, jsonFrame } from "./frames.ts";
import { LOST_AFTER_MS, PeerWatch } from "./peer-watch.ts";
import { decodeRecord, encodeRecord } from "./record-codec.ts";
import { RemoteApply } from "./remote-apply.ts";
import { SegmentMirror } from "./segment-mirror.ts";
import { TURN_TO_COMPONENT, TURN_TO_DRIVER } from "./turns.ts";

/** What a relay asks an agent to run: the component as the driver's own enclave would have. */
export interface RemoteLaunch {
  /** What its channel and segments are named after: the component's name, or "name@rank" for one rank of many. */
  participant: string;
  kind: EnclaveKind;
  launch: Omit<ComponentLaunch, "runDirectory">;
  wait: Partial<WaitStrategy>;
}

/** Requests whose replies name them by sequence: at most this many are remembered. */
const REMEMBERED_REQUESTS = 64;

class ComponentSession {
  /** Called once, when the session has ended and its component and run directory are gone. */
  onEnd: () => void = () => {};
  private run: Run | undefined;
  private channel: Channel | undefined;
  private mirror: SegmentMirror | undefined;
  private remoteApply: RemoteApply | undefined;
  private enclave: Enclave | undefined;
  private pump: ChannelPump | undefined;
  private readonly outgoing = new Message();
  private readonly incoming = new Message();
  /** This node's ring sequence of a driver's request → the driver's: a reply's correlation is translated back. */
  private readonly requests = new Map<number, number>();
  private readonly watch: PeerWatch;
  private ended = false;

  constructor(private readonly socket: Socket) {
    const where = `agent on ${hostname()}: relay ${socket.remoteAddress}:${socket.remotePort}`;
    this.watch = new PeerWatch(
      () => socket.write(encodeFrame(FrameType.heartbeat, Buffer.alloc(0))),
      () => this.end(`the relay sent nothing for ${LOST_AFTER_MS} ms`),
    );
    const reader = new FrameReader((type, payload) => this.onFrame(type, payload, where), where);
    socket.on("data", (chunk: Buffer) => {
      this.watch.heard();
      try {
        reader.push(chunk);
      } catch (error) {
        this.end((error as Error).message);
      }
    });
    socket.on("close", () => this.end("the relay's connection closed"));
    socket.on("error", () => this.end("the relay's connection failed"));
  }

  private onFrame(type: number, payload: Buffer, where: string): void {
    switch (type) {
      case FrameType.launch:
        void this.launch(JSON.parse(payload.toString("utf8")) as RemoteLaunch);
        return;
      case FrameType.segment:
        this.mirror?.apply(payload);
        return;
      case FrameType.reads:
        this.mirror?.applyReads(payload);
        return;
      case FrameType.operators:
        try {
          this.remoteApply?.receive(payload);
        } catch (error) {
          this.refuse(error as Error);
        }
        return;
      case FrameType.record: {
        const sequence = decodeRecord(payload, this.outgoing, where);
        // The source values came before this record: the target fields are the driver's before the component acts.
        if (TURN_TO_COMPONENT.has(this.outgoing.opcode) && !this.appliedDue()) return;
        this.channel?.send(this.outgoing);
        this.pump?.kick();
        this.requests.set(this.outgoing.sequence, sequence);
        if (this.requests.size > REMEMBERED_REQUESTS) this.requests.delete(this.requests.keys().next().value as number);
        return;
      }
      case FrameType.stop: {
        const { graceMs } = JSON.parse(payload.toString("utf8")) as { graceMs: number };
        void this.enclave?.stop(graceMs);
        return;
      }
      case FrameType.heartbeat:
        return;
      default:
        this.end(`${where}: a frame of unknown type ${type}`);
    }
  }

  private async launch(remote: RemoteLaunch): Promise<void> {
    const name = remote.participant;
    try {
      this.run = Run.create({ handleSignals: false });
      this.channel = Channel.create(this.run, channelName(name), { wait: remote.wait });
      const where = `agent on ${hostname()}, component ${name}`;
      this.mirror = new SegmentMirror(this.run, name, where);
      this.remoteApply = new RemoteApply(this.run, name, where);
      const output = {
        write: (text: string) => this.socket.write(encodeFrame(FrameType.output, Buffer.from(text, "utf8"))),
      };
      // The relay prefixes nothing: the driver's own capture of the relay's output says whose line it is.
      this.enclave = createEnclave(
        remote.kind,
        { ...remote.launch, runDirectory: this.run.directory },
        { handleSignals: false, output: { write: (text: string) => output.write(text.replace(/^\[[^\]]*\] /gm, "")) } },
      );
      await this.enclave.start();
    } catch (error) {
      this.socket.write(jsonFrame(FrameType.exit, { code: 1, signal: null, error: (error as Error).message }));
      this.end("its component could not be launched");
      return;
    }
    const enclave = this.enclave;
    this.socket.write(jsonFrame(FrameType.launched, { pid: enclave.pid, node: hostname() }));
    this.pump = new ChannelPump(
      this.channel,
      this.incoming,
      (message) => this.toDriver(message),
      (error) => {
        // A component that died or scribbled on its ring: said here (srun passes it on), and its exit says the rest.
        process.stderr.write(`conflux agent on ${hostname()}: component ${name}: ${error.message}\n`);
        this.pump?.stop();
      },
    );
    this.pump.start();
    void enclave.exited.then((status) => {
      // Its last records (a bye written just before it exited) go first, then its exit: a poll may not have come since.
      this.pump?.drainAndStop();
      this.socket.write(
        jsonFrame(FrameType.exit, {
          code: status.code,
          signal: status.signal,
          ...(status.error === undefined ? {} : { error: status.error }),
          ...(status.memoryLimit === undefined ? {} : { memoryLimit: status.memoryLimit }),
        }),
      );
    });
  }

  private toDriver(message: Message): void {
    if (TURN_TO_DRIVER.has(message.opcode) && this.mirror !== undefined) {
      // At bye every held-back block crosses: the driver saves the component's fields whole.
      for (const frame of this.mirror.frames(message.opcode === Opcode.bye)) this.socket.write(frame);
    }
    const request = this.requests.get(message.correlation);
    if (message.correlation !== 0 && request !== undefined) message.correlation = request;
    this.socket.write(encodeFrame(FrameType.record, encodeRecord(message)));
  }

  /** Applies the operators due before the component's turn; false when they were unfit, and the session ends. */
  private appliedDue(): boolean {
    try {
      this.remoteApply?.applyDue();
      return true;
    } catch (error) {
      this.refuse(error as Error);
      return false;
    }
  }

  /**
   * Operators unfit to apply (they come from another node) end the component, and the relay exits as a component
   * that failed, with the reason, instead of as a lost node.
   */
  private refuse(error: Error): void {
    this.socket.write(jsonFrame(FrameType.exit, { code: 1, signal: null, error: `conflux: ${error.message}` }));
    this.end(error.message);
  }

  /** Takes the component down and removes this node's run directory; once. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.enclave?.isAlive())
      process.stderr.write(`conflux agent on ${hostname()}: stopping its component: ${reason}\n`);
    this.watch.close();
    this.pump?.stop();
    const enclave = this.enclave;
    const finish = () => {
      this.remoteApply?.close();
      this.mirror?.close();
      this.channel?.close();
      this.run?.close();
      this.socket.destroy();
      this.onEnd();
    };
    if (enclave?.isAlive()) void enclave.stop(1000).finally(finish);
    else finish();
  }
}

export interface AgentHandle {
  server: Server;
  port: number;
  /** Resolves when the agent has nothing left to do: its relays came and went, or none came in time. */
  done: Promise<void>;
  close(): void;
}

export interface AgentOptions {
  /** 0 (the default): any free port. */
  port?: number;
  /** How long to wait for the first relay before giving up (default 120 s). */
  firstRelayMs?: number;
}

/**
 * Listens on every address of this node and serves relays. An agent belongs to one run: it is done once every
 * relay that came has ended (at least one), or when none came within `firstRelayMs` (a run that never started).
 */
export function startAgent(options: AgentOptions = {}): Promise<AgentHandle> {
  const sessions = new Set<ComponentSession>();
  let served = false;
  let markDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    markDone = resolve;
  });
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    served = true;
    const session = new ComponentSession(socket);
    sessions.add(session);
    session.onEnd = () => {
      sessions.delete(session);
      if (sessions.size === 0) markDone();
    };
  });
  const firstRelay = setTimeout(() => {
    if (!served) markDone();
  }, options.firstRelayMs ?? 120_000);
  firstRelay.unref();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
      resolve({
        server,
        port: bound,
        done,
        // Done once every session has taken its component down and removed its run directory.
        close: () => {
          server.close();
          if (sessions.size === 0) markDone();
          for (const session of [...sessions]) session.end("the agent is stopping");
        },
      });
    });
  });
}
