// coupling/ owns the driver: plan, a channel per component, transfers, timings, failures; time/ and acceleration/ go here.
// It must not read composition files or name a backend: it is handed a plan and asks createEnclave for enclaves.

// The driver's side of one component: the channel it creates before launching
// the component, and the protocol steps (await hello, ack, go, await done,
// stop) in terms the coupling layer can use without knowing the wire format.
import { Channel } from "../queue/channel.ts";
import { QueueError } from "../queue/errors.ts";
import { Message } from "../queue/message.ts";
import type { PeerLiveness } from "../queue/peer.ts";
import type { WaitStrategy } from "../queue/wait-strategy.ts";
import type { Run } from "../shm/run.ts";
import { SharedMesh } from "../shm/shared-mesh.ts";
import { channelName, DRIVER_ACCEPTS, Opcode, opcodeName } from "../wire/protocol.ts";

export interface LinkOptions {
  wait?: Partial<WaitStrategy>;
  /** How the component is named in errors, e.g. `component "appA" (process enclave)`. */
  description: string;
  peer?: PeerLiveness;
}

export class ComponentLink {
  readonly channel: Channel;
  private readonly outgoing = new Message();
  private readonly incoming = new Message();

  constructor(
    private readonly run: Run,
    readonly component: string,
    options: LinkOptions,
  ) {
    this.channel = Channel.create(run, channelName(component), {
      ...(options.wait === undefined ? {} : { wait: options.wait }),
      opcodes: DRIVER_ACCEPTS,
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

  /** One command-queue round trip: ping, answered by pong while the component waits for its next step. */
  ping(timeoutNs: number): void {
    this.channel.request(this.outgoing.set(Opcode.ping), this.incoming, timeoutNs);
    if (this.incoming.opcode !== Opcode.pong) throw this.unexpected(Opcode.pong);
  }

  /** Asks the component to stop and waits for its bye. */
  stop(timeoutNs: number): void {
    this.channel.send(this.outgoing.set(Opcode.stop), timeoutNs);
    this.channel.receive(this.incoming, timeoutNs);
    if (this.incoming.opcode !== Opcode.bye) throw this.unexpected(Opcode.bye);
  }

  close(): void {
    this.channel.close();
  }

  private unexpected(expected: number): QueueError {
    return new QueueError(
      `component "${this.component}" sent ${opcodeName(this.incoming.opcode)} where ${opcodeName(expected)} was expected`,
    );
  }
}
