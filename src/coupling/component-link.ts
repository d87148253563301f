// coupling/ owns the driver: plan, a channel per component, transfers, timings, failures; time/ and acceleration/ go here.
// It must not read composition files or name a backend: it is handed a plan and asks createEnclave for enclaves.

// The driver's side of one component: the channel it creates before launching
// the component, and the protocol steps (await hello, ack, go, await done,
// stop) in terms the coupling layer can use without knowing the wire format.
import { Channel } from "../queue/channel.ts";
import { PeerClosedError, PeerDiedError, QueueError } from "../queue/errors.ts";
import { Message } from "../queue/message.ts";
import type { PeerLiveness } from "../queue/peer.ts";
import type { WaitStrategy } from "../queue/wait-strategy.ts";
import type { Run } from "../shm/run.ts";
import { SharedMesh } from "../shm/shared-mesh.ts";
import {
  CheckpointSlot,
  channelName,
  DoneSlot,
  DRIVER_ACCEPTS,
  Opcode,
  opcodeName,
  TIME_DRIVER_ACCEPTS,
  TIME_TOLERANCE,
  WindowFlag,
  WindowSlot,
} from "../wire/protocol.ts";
import type { CouplingLink } from "./coupling-link.ts";
import { ProtocolViolation } from "./protocol-violation.ts";
import type { WindowAttempt } from "./window-attempt.ts";

export { WindowAttempt } from "./window-attempt.ts";

export interface LinkOptions {
  wait?: Partial<WaitStrategy>;
  /** A run in physical time: the channel accepts the time protocol's records (checkpointed, restored). */
  timed?: boolean;
  /** How the component is named in errors, e.g. `component "appA" (process enclave)`. */
  description: string;
  peer?: PeerLiveness;
}

export class ComponentLink implements CouplingLink {
  readonly channel: Channel;
  private readonly outgoing = new Message();
  private readonly incoming = new Message();

  constructor(
    readonly run: Run,
    readonly component: string,
    options: LinkOptions,
  ) {
    this.channel = Channel.create(run, channelName(component), {
      ...(options.wait === undefined ? {} : { wait: options.wait }),
      opcodes: options.timed === true ? TIME_DRIVER_ACCEPTS : DRIVER_ACCEPTS,
      peerDescription: options.description,
      ...(options.peer === undefined ? {} : { peer: options.peer }),
    });
  }

  /** Non-blocking: true once the component has said hello (its meshes are then published). */
  pollHello(): boolean {
    if (!this.channel.tryReceive(this.incoming)) return false;
    if (this.incoming.opcode !== Opcode.hello) throw this.unexpected(Opcode.hello);
    return true;
  }

  openMesh(name: string): SharedMesh {
    return SharedMesh.open(this.run, this.component, name);
  }

  acknowledge(): void {
    this.channel.send(this.outgoing.set(Opcode.ack));
  }

  go(iteration: number): void {
    this.channel.send(this.outgoing.set(Opcode.go, iteration));
  }

  awaitDone(iteration: number, timeoutNs: number): void {
    this.channel.receive(this.incoming, timeoutNs);
    if (this.incoming.opcode !== Opcode.done) throw this.unexpected(Opcode.done);
    if (this.incoming.payload[0] !== iteration) {
      throw new QueueError(
        `component "${this.component}" reported step ${this.incoming.payload[0]} done while the driver ran step ${iteration}`,
      );
    }
  }

  // ---- runs in physical time (protocol version 2) --------------------------

  /** Announces the attempt `attempt` describes. */
  sendWindow(attempt: WindowAttempt): void {
    const message = this.outgoing.set(Opcode.window, attempt.window, attempt.iteration);
    const payload = message.payload;
    payload[WindowSlot.start] = attempt.start;
    payload[WindowSlot.size] = attempt.size;
    payload[WindowSlot.flags] = attempt.flags;
    payload[WindowSlot.end] = attempt.runEnd;
    message.length = 48;
    this.channel.send(message);
  }

  /**
   * Waits for the attempt's records, in the order the protocol requires:
   * checkpointed first when the window asked to write a checkpoint, restored
   * first (at the window's start) when it asked to read one, then done — of
   * this window and iteration, at the attempt's end, with at most maxSubsteps
   * steps. Fills attempt.doneTime and attempt.substeps. A component that breaks
   * a rule is named by a ProtocolViolation (the only path that allocates).
   */
  awaitAttempt(attempt: WindowAttempt, timeoutNs: number): void {
    const incoming = this.incoming;
    const payload = incoming.payload;
    const flags = attempt.flags;
    const start = attempt.start;
    let wrote = false;
    let restored = false;
    for (;;) {
      this.channel.receive(incoming, timeoutNs);
      const opcode = incoming.opcode;
      if (opcode === Opcode.done) break;
      if (opcode === Opcode.checkpointed || opcode === Opcode.restored) {
        const writing = opcode === Opcode.checkpointed;
        const time = payload[CheckpointSlot.time] as number;
        const asked = (flags & (writing ? WindowFlag.writeCheckpoint : WindowFlag.readCheckpoint)) !== 0;
        const off = Math.abs(time - start);
        if (!asked || (writing ? wrote : restored) || !(off <= TIME_TOLERANCE * Math.max(1, Math.abs(start)))) {
          throw this.checkpointViolation(attempt, writing, asked, time);
        }
        if (writing) wrote = true;
        else restored = true;
        continue;
      }
      throw this.violation(
        `sent ${opcodeName(opcode)} during window ${attempt.window} (iteration ${attempt.iteration}), where only checkpointed, restored and done belong`,
      );
    }
    if (incoming.length !== 32) {
      throw this.violation(
        `answered window ${attempt.window} (iteration ${attempt.iteration}) with the done of an iteration run (step ${payload[0]}): it was written for iteration runs (nextStep, done); a run in physical time needs the time API (isCouplingOngoing, advance)`,
      );
    }
    const window = payload[DoneSlot.window] as number;
    const iteration = payload[DoneSlot.iteration] as number;
    const time = payload[DoneSlot.time] as number;
    const substeps = payload[DoneSlot.substeps] as number;
    // The attempt's end, written out (a getter or helper returning a double could box it).
    const size = attempt.size;
    const end = size === Number.POSITIVE_INFINITY ? size : Math.min(start + size, attempt.runEnd);
    const slack = TIME_TOLERANCE * Math.max(1, Math.abs(end));
    if (
      window !== attempt.window ||
      iteration !== attempt.iteration ||
      ((flags & WindowFlag.writeCheckpoint) !== 0 && !wrote) ||
      ((flags & WindowFlag.readCheckpoint) !== 0 && !restored) ||
      !Number.isInteger(substeps) ||
      substeps < 1 ||
      substeps > attempt.maxSubsteps ||
      !(time > start) ||
      !Number.isFinite(time) ||
      (end !== Number.POSITIVE_INFINITY && !(Math.abs(time - end) <= slack)) ||
      (end === Number.POSITIVE_INFINITY && time - attempt.runEnd > TIME_TOLERANCE * Math.max(1, Math.abs(time)))
    ) {
      throw this.doneViolation(attempt, wrote, restored);
    }
    attempt.doneTime = time;
    attempt.substeps = substeps;
  }

  /** One command-queue round trip: ping, answered by pong while the component waits for its next step. */
  ping(timeoutNs: number): void {
    this.channel.request(this.outgoing.set(Opcode.ping), this.incoming, timeoutNs);
    if (this.incoming.opcode !== Opcode.pong) throw this.unexpected(Opcode.pong);
  }

  /** Asks the component to stop and waits for its bye. */
  stop(timeoutNs: number): void {
    this.channel.send(this.outgoing.set(Opcode.stop), timeoutNs);
    try {
      this.channel.receive(this.incoming, timeoutNs);
    } catch (error) {
      // A component that ends without its bye: what its ring held then tells a lost record from one never sent.
      if (error instanceof PeerDiedError || error instanceof PeerClosedError)
        Object.assign(error, { ringState: this.channel.receiver.describeState() });
      throw error;
    }
    if (this.incoming.opcode !== Opcode.bye) throw this.unexpected(Opcode.bye);
  }

  close(): void {
    this.channel.close();
  }

  private violation(reason: string): ProtocolViolation {
    return new ProtocolViolation(this.component, reason);
  }

  private checkpointViolation(
    attempt: WindowAttempt,
    writing: boolean,
    asked: boolean,
    time: number,
  ): ProtocolViolation {
    const where = `window ${attempt.window} (iteration ${attempt.iteration})`;
    const record = writing ? "checkpointed" : "restored";
    if (!asked) {
      return this.violation(
        `sent ${record} in ${where}, where the driver did not ask to ${writing ? "write" : "read"} a checkpoint`,
      );
    }
    if (!closeTo(time, attempt.start)) {
      return this.violation(
        writing
          ? `reported time ${time} when it wrote the checkpoint of ${where}; the window starts at ${attempt.start}`
          : `reported time ${time} after restoring; the window starts at ${attempt.start} (${where})`,
      );
    }
    return this.violation(`sent ${record} twice in ${where}`);
  }

  private doneViolation(attempt: WindowAttempt, wrote: boolean, restored: boolean): ProtocolViolation {
    const payload = this.incoming.payload;
    const where = `window ${attempt.window} (iteration ${attempt.iteration})`;
    const window = payload[DoneSlot.window] as number;
    const iteration = payload[DoneSlot.iteration] as number;
    const time = payload[DoneSlot.time] as number;
    const substeps = payload[DoneSlot.substeps] as number;
    if (window !== attempt.window || iteration !== attempt.iteration) {
      return this.violation(`reported window ${window} (iteration ${iteration}) done while the driver ran ${where}`);
    }
    if ((attempt.flags & WindowFlag.readCheckpoint) !== 0 && !restored) {
      return this.violation(`ignored the restore request of ${where}: it advanced without restoring its checkpoint`);
    }
    if ((attempt.flags & WindowFlag.writeCheckpoint) !== 0 && !wrote) {
      return this.violation(`ignored the checkpoint request of ${where}: it advanced without writing its checkpoint`);
    }
    if (!Number.isInteger(substeps) || substeps < 1 || substeps > attempt.maxSubsteps) {
      return this.violation(
        `reported ${substeps} steps in ${where}; a window holds 1 to ${attempt.maxSubsteps} (coupling.max_substeps)`,
      );
    }
    const end = attempt.end;
    return this.violation(
      Number.isFinite(end) && Number.isFinite(time) && time < end
        ? `ended ${where} at time ${time}, short of the window's end ${end}`
        : `ended ${where} at time ${time}; the window runs from ${attempt.start} to ${Number.isFinite(end) ? end : "the end of its first step"}`,
    );
  }

  private unexpected(expected: number): QueueError {
    return new QueueError(
      `component "${this.component}" sent ${opcodeName(this.incoming.opcode)} where ${opcodeName(expected)} was expected`,
    );
  }
}

/** Whether two times are one under the protocol's tolerance (written out: a call with doubles would box them). */
function closeTo(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= TIME_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}
