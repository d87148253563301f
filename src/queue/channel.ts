// A channel: the two rings between the driver and one component (one to the
// component, one back to the driver) in one segment, plus a control line that
// records both sides' pids so each can watch the other's liveness.
// Layout: wire/channel.ts.

import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import { CHANNEL_LAYOUT_VERSION, CHANNEL_MAGIC, ControlWord, channelPayloadBytes } from "../wire/channel.ts";
import { CACHE_LINE, checkCapacity, ringBytes } from "../wire/ring.ts";
import { SegmentKind } from "../wire/segment-header.ts";
import { ChannelClaimedError, CorruptRecordError, QueueError } from "./errors.ts";
import type { Message } from "./message.ts";
import { type PeerLiveness, ProcessLiveness } from "./peer.ts";
import { formatRing, RingConsumer, RingProducer } from "./ring.ts";
import { type WaitStrategy, waitStrategy } from "./wait-strategy.ts";

export const DEFAULT_CAPACITY = 64;

export type ChannelRole = "driver" | "component";

export interface ChannelOptions {
  capacity?: number;
  wait?: Partial<WaitStrategy>;
  /** Opcodes the receiving side accepts; any other is reported as garbage. Default: all. */
  opcodes?: readonly number[];
  /** How to tell whether the peer lives. Default: its pid, from the control line. */
  peer?: PeerLiveness;
  /** How the peer is named in errors, e.g. `component "appA" (process enclave)`. */
  peerDescription?: string;
}

function opcodeTable(opcodes: readonly number[] | undefined): Uint8Array | null {
  if (opcodes === undefined) return null;
  const table = new Uint8Array(65536);
  for (const opcode of opcodes) table[opcode & 0xffff] = 1;
  return table;
}

export class Channel {
  readonly sender: RingProducer;
  readonly receiver: RingConsumer;
  private readonly ownLiveness: ProcessLiveness | undefined;
  private closed = false;

  private constructor(
    readonly name: string,
    readonly role: ChannelRole,
    readonly segment: Segment,
    capacity: number,
    options: ChannelOptions,
  ) {
    const strategy = waitStrategy(options.wait);
    const description =
      options.peerDescription ?? (role === "driver" ? `the component on channel "${name}"` : "the driver");
    let peer = options.peer;
    if (peer === undefined) {
      const control = segment.int32(0, CACHE_LINE / 4);
      const peerPidWord = role === "driver" ? ControlWord.componentPid : ControlWord.driverPid;
      this.ownLiveness = new ProcessLiveness(() => Atomics.load(control, peerPidWord), description);
      peer = this.ownLiveness;
    }
    const toComponent = segment.payloadOffset + CACHE_LINE;
    const toDriver = toComponent + ringBytes(capacity);
    const [sendOffset, receiveOffset] = role === "driver" ? [toComponent, toDriver] : [toDriver, toComponent];
    const where = `channel "${name}" (${role} side)`;
    // Both rings have the control line's capacity, so the second starts where the first ends and they never overlap.
    const attachment = { buffer: segment.buffer, where, strategy, peer, expectedCapacity: capacity };
    this.sender = new RingProducer({ ...attachment, byteOffset: sendOffset });
    this.receiver = new RingConsumer({ ...attachment, byteOffset: receiveOffset }, opcodeTable(options.opcodes));
  }

  /** The driver creates the channel segment for one component; the component attaches to it. */
  static create(run: Run, name: string, options: ChannelOptions = {}): Channel {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    const segment = run.createSegment(name, channelPayloadBytes(capacity), SegmentKind.ring);
    const control = segment.int32(0, CACHE_LINE / 4);
    formatRing(segment.buffer, segment.payloadOffset + CACHE_LINE, capacity);
    formatRing(segment.buffer, segment.payloadOffset + CACHE_LINE + ringBytes(capacity), capacity);
    control[ControlWord.version] = CHANNEL_LAYOUT_VERSION;
    control[ControlWord.capacity] = capacity;
    Atomics.store(control, ControlWord.driverPid, process.pid);
    Atomics.store(control, ControlWord.magic, CHANNEL_MAGIC);
    return new Channel(name, "driver", segment, capacity, options);
  }

  /** The component side: finds the channel by name (waiting up to timeoutMs for the driver to create it). */
  static attach(run: Run, name: string, options: ChannelOptions = {}, timeoutMs = 10_000): Channel {
    const segment = run.openSegment(name, { kind: SegmentKind.ring, timeoutMs });
    try {
      const capacity = Channel.checkControlLine(segment, `channel "${name}" in ${segment.path}`);
      const control = segment.int32(0, CACHE_LINE / 4);
      // A swap, not a store: two processes started as the same rank must not both believe they own it.
      const holder = Atomics.compareExchange(control, ControlWord.componentPid, 0, process.pid);
      if (holder !== 0 && holder !== process.pid) {
        Atomics.compareExchange(control, ControlWord.contenderPid, 0, process.pid);
        throw new ChannelClaimedError(name, holder);
      }
      return new Channel(name, "component", segment, capacity, options);
    } catch (error) {
      segment.close();
      throw error;
    }
  }

  /** Checks the driver's control line; returns the capacity, read once and never again. */
  private static checkControlLine(segment: Segment, where: string): number {
    const control = segment.int32(0, CACHE_LINE / 4);
    if (Atomics.load(control, ControlWord.magic) !== CHANNEL_MAGIC) {
      throw new CorruptRecordError(`${where}: not a channel (bad magic); the segment is corrupt`);
    }
    const version = control[ControlWord.version] ?? 0;
    if (version !== CHANNEL_LAYOUT_VERSION) {
      throw new CorruptRecordError(
        `${where}: channel layout version ${version}, this conflux speaks ${CHANNEL_LAYOUT_VERSION}`,
      );
    }
    const capacity = control[ControlWord.capacity] ?? 0;
    try {
      checkCapacity(capacity);
    } catch (error) {
      throw new CorruptRecordError(`${where}: ${(error as Error).message}; the control line is corrupt`);
    }
    if (channelPayloadBytes(capacity) > segment.payloadSize) {
      throw new CorruptRecordError(
        `${where}: capacity ${capacity} does not fit its ${segment.payloadSize}-byte payload`,
      );
    }
    return capacity;
  }

  /** The pid of a second process that tried to attach, 0 when none did (a rank claimed twice). */
  get contenderPid(): number {
    return Atomics.load(this.segment.int32(0, CACHE_LINE / 4), ControlWord.contenderPid);
  }

  /** The component's pid once it has attached (0 before). */
  get componentPid(): number {
    return Atomics.load(this.segment.int32(0, CACHE_LINE / 4), ControlWord.componentPid);
  }

  send(message: Message, timeoutNs?: number): void {
    this.sender.send(message, timeoutNs);
  }

  trySend(message: Message): boolean {
    return this.sender.trySend(message);
  }

  receive(message: Message, timeoutNs?: number): void {
    this.receiver.receive(message, timeoutNs);
  }

  tryReceive(message: Message): boolean {
    return this.receiver.tryReceive(message);
  }

  /** Sends `request` and waits for the reply that answers it (correlation = the request's sequence). */
  request(request: Message, reply: Message, timeoutNs?: number): void {
    this.sender.send(request, timeoutNs);
    this.receiver.receive(reply, timeoutNs);
    if (reply.correlation !== request.sequence) {
      throw new QueueError(
        `${this.receiver.where}: reply answers request ${reply.correlation}, expected ${request.sequence}; requests on one channel must not overlap`,
      );
    }
  }

  /** Answers `request` with `reply`. */
  reply(request: Message, reply: Message, timeoutNs?: number): void {
    reply.correlation = request.sequence;
    this.sender.send(reply, timeoutNs);
  }

  /** Tells the peer this side is gone (it stops waiting at once) and releases the mapping. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sender.close();
    this.receiver.close();
    this.ownLiveness?.close();
    this.segment.close();
  }
}
