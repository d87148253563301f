// The SDK a component calls, following the talk's sequence: connect to the
// run, attach the two command queues the driver set up, share meshes in
// segments, notify the driver and wait for its ACK, then loop: wait for go,
// compute, signal done. It does not know which enclave it runs in.
import { Channel } from "../queue/channel.ts";
import { QueueError } from "../queue/errors.ts";
import { Message } from "../queue/message.ts";
import { EnclaveBoundLiveness } from "../queue/peer.ts";
import { type WaitStrategy, waitStrategy } from "../queue/wait-strategy.ts";
import { Run } from "../shm/run.ts";
import { SharedMesh } from "../shm/shared-mesh.ts";
import {
  COMPONENT_ARGS_VARIABLE,
  COMPONENT_NAME_VARIABLE,
  DRIVER_LIVENESS_VARIABLE,
  RUN_DIRECTORY_VARIABLE,
  WAIT_VARIABLE,
} from "../wire/environment.ts";
import type { MeshSpec } from "../wire/mesh.ts";
import { COMPONENT_ACCEPTS, channelName, Opcode, opcodeName } from "../wire/protocol.ts";

export interface ConnectOptions {
  environment?: NodeJS.ProcessEnv;
  /** How long to wait for the driver's channel (default 30 s). */
  timeoutMs?: number;
}

function readWait(environment: NodeJS.ProcessEnv): Partial<WaitStrategy> {
  const text = environment[WAIT_VARIABLE];
  if (text === undefined || text === "") return {};
  try {
    return waitStrategy(JSON.parse(text) as Partial<WaitStrategy>);
  } catch (error) {
    throw new Error(`${WAIT_VARIABLE}=${text} is not a wait strategy: ${(error as Error).message}`);
  }
}

export class Component {
  readonly meshes = new Map<string, SharedMesh>();
  private readonly request = new Message();
  private readonly reply = new Message();
  private iteration = -1;
  private closed = false;

  private constructor(
    readonly name: string,
    readonly args: Record<string, unknown>,
    readonly run: Run,
    readonly channel: Channel,
  ) {}

  /** Joins the run and the driver's channel, from the variables the launcher set. */
  static connect(options: ConnectOptions = {}): Component {
    const environment = options.environment ?? process.env;
    const name = environment[COMPONENT_NAME_VARIABLE];
    if (name === undefined || name === "") {
      throw new Error(`${COMPONENT_NAME_VARIABLE} is not set: start this component through \`conflux run\``);
    }
    if (environment[RUN_DIRECTORY_VARIABLE] === undefined) {
      throw new Error(`${RUN_DIRECTORY_VARIABLE} is not set: start this component through \`conflux run\``);
    }
    let args: Record<string, unknown> = {};
    const argsText = environment[COMPONENT_ARGS_VARIABLE];
    if (argsText !== undefined && argsText !== "") {
      try {
        args = JSON.parse(argsText) as Record<string, unknown>;
      } catch {
        throw new Error(`${COMPONENT_ARGS_VARIABLE} is not JSON: ${argsText.slice(0, 80)}`);
      }
    }
    // Read before the run is joined, so a bad value leaks no mapping.
    const enclaveBound = driverIsEnclaveBound(environment);
    const run = Run.fromEnvironment(environment);
    const channel = Channel.attach(
      run,
      channelName(name),
      {
        wait: readWait(environment),
        opcodes: COMPONENT_ACCEPTS,
        peerDescription: "the driver",
        ...(enclaveBound ? { peer: new EnclaveBoundLiveness("the driver") } : {}),
      },
      options.timeoutMs ?? 30_000,
    );
    const component = new Component(name, args, run, channel);
    // A thread enclave shares its pid with the driver: closing the channel on
    // the way out is how the driver learns that this component has gone.
    process.once("exit", () => component.close());
    return component;
  }

  /** Allocates mesh `name` in a shared segment and publishes its metadata. */
  shareMesh(name: string, spec: MeshSpec): SharedMesh {
    if (this.meshes.has(name)) throw new Error(`component "${this.name}" already shares a mesh named "${name}"`);
    const mesh = SharedMesh.create(this.run, this.name, name, spec);
    this.meshes.set(name, mesh);
    return mesh;
  }

  /** Tells the driver the meshes are published and waits for its ACK. */
  ready(): void {
    this.channel.send(this.request.set(Opcode.hello, this.meshes.size));
    this.expect(Opcode.ack);
  }

  /** Waits for the driver's next go; returns the iteration, or -1 when the driver says stop. */
  nextStep(): number {
    this.channel.receive(this.reply);
    while (this.reply.opcode === Opcode.ping) {
      this.channel.reply(this.reply, this.request.set(Opcode.pong));
      this.channel.receive(this.reply);
    }
    if (this.reply.opcode === Opcode.stop) {
      this.channel.send(this.request.set(Opcode.bye));
      return -1;
    }
    if (this.reply.opcode !== Opcode.go) throw this.unexpected(Opcode.go);
    this.iteration = this.reply.payload[0] as number;
    return this.iteration;
  }

  /** Signals that the current step's fields are written. */
  done(): void {
    this.channel.send(this.request.set(Opcode.done, this.iteration));
  }

  /** The whole loop: ready, then `step(iteration)` for every go until stop. */
  loop(step: (iteration: number) => void): void {
    this.ready();
    for (let iteration = this.nextStep(); iteration >= 0; iteration = this.nextStep()) {
      step(iteration);
      this.done();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
    for (const mesh of this.meshes.values()) mesh.close();
    this.run.close();
  }

  private expect(opcode: number): void {
    this.channel.receive(this.reply);
    if (this.reply.opcode !== opcode) throw this.unexpected(opcode);
  }

  private unexpected(expected: number): QueueError {
    return new QueueError(
      `component "${this.name}": the driver sent ${opcodeName(this.reply.opcode)} where ${opcodeName(expected)} was expected`,
    );
  }
}

/** Whether the enclave, not the driver's pid, tells this component that its driver has gone. */
function driverIsEnclaveBound(environment: NodeJS.ProcessEnv): boolean {
  const value = environment[DRIVER_LIVENESS_VARIABLE];
  if (value === undefined || value === "" || value === "pid") return false;
  if (value === "enclave") return true;
  throw new Error(
    `${DRIVER_LIVENESS_VARIABLE} is ${JSON.stringify(value)}; it must be "pid" or "enclave" (or unset): start this component through \`conflux run\``,
  );
}
