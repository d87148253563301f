// The SDK a component calls, following the talk's sequence: connect to the
// run, attach the two command queues the driver set up, share meshes in
// segments, notify the driver and wait for its ACK, then loop. In an
// iteration run: wait for go, compute, signal done. In a run in physical
// time: while isCouplingOngoing(), answer the checkpoint requests, read the
// coupled fields at a time, step and advance (time-coupling.ts). It does not
// know which enclave it runs in.
import { Channel } from "../queue/channel.ts";
import { ChannelClaimedError, QueueError } from "../queue/errors.ts";
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
  rankedName,
  rankFromEnvironment,
  WAIT_VARIABLE,
} from "../wire/environment.ts";
import type { MeshSpec } from "../wire/mesh.ts";
import {
  CheckpointSlot,
  COMPONENT_ACCEPTS,
  channelName,
  DoneSlot,
  Opcode,
  opcodeName,
  WindowFlag,
} from "../wire/protocol.ts";
import { TimeCoupling, TimeCouplingError } from "./time-coupling.ts";

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
  /** The step of an iteration run the last go asked for. */
  private step = -1;
  private closed = false;
  private stopped = false;
  /** The waveforms and the window attempt of a run in physical time; set by ready(). */
  private timeCoupling: TimeCoupling | undefined;

  /** The name its channel and segments carry: the component's, or "<component>@<rank>" for a rank of many. */
  readonly participant: string;

  private constructor(
    readonly name: string,
    readonly args: Record<string, unknown>,
    readonly run: Run,
    readonly channel: Channel,
    /** Its rank, 0 ≤ rank < ranks (docs/parallel.md): 0 of 1 for a serial component. */
    readonly rank: number,
    readonly ranks: number,
  ) {
    this.participant = rankedName(name, rank, ranks);
  }

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
    const identity = rankFromEnvironment(environment);
    if (typeof identity === "string") throw new Error(`component "${name}": ${identity}`);
    const participant = rankedName(name, identity.rank, identity.ranks);
    const run = Run.fromEnvironment(environment);
    let channel: Channel;
    try {
      channel = Channel.attach(
        run,
        channelName(participant),
        {
          wait: readWait(environment),
          opcodes: COMPONENT_ACCEPTS,
          peerDescription: "the driver",
          ...(enclaveBound ? { peer: new EnclaveBoundLiveness("the driver") } : {}),
        },
        options.timeoutMs ?? 30_000,
      );
    } catch (error) {
      run.close();
      if (!(error instanceof ChannelClaimedError)) throw error;
      throw new Error(
        `rank ${identity.rank} of component "${name}" is already claimed by pid ${error.holderPid}: two processes were started as the same rank (check the launcher's -n and the composition's ranks)`,
      );
    }
    const component = new Component(name, args, run, channel, identity.rank, identity.ranks);
    // A thread enclave shares its pid with the driver: closing the channel on
    // the way out is how the driver learns that this component has gone.
    process.once("exit", () => component.close());
    return component;
  }

  /** How errors name it: `component "heat"`, or `component "heat" rank 1`. */
  get who(): string {
    return this.ranks > 1 ? `component "${this.name}" rank ${this.rank}` : `component "${this.name}"`;
  }

  /** Allocates mesh `name` (this rank's partition of it, for a rank of many) in a shared segment and publishes its metadata. */
  shareMesh(name: string, spec: MeshSpec): SharedMesh {
    if (this.meshes.has(name)) throw new Error(`mesh "${name}" is already shared by ${this.who}`);
    const mesh = SharedMesh.create(this.run, this.participant, name, spec);
    this.meshes.set(name, mesh);
    return mesh;
  }

  /**
   * Tells the driver the meshes are published, waits for its ACK, then
   * attaches the waveforms the driver created for the meshes' fields (none in
   * an iteration run).
   */
  ready(): void {
    this.channel.send(this.request.set(Opcode.hello, this.meshes.size));
    this.expect(Opcode.ack);
    this.timeCoupling = TimeCoupling.attach(this.run, this.participant, this.meshes);
  }

  /** Waits for the driver's next go; returns the iteration, or -1 when the driver says stop. */
  nextStep(): number {
    if (this.receiveCommand()) return -1;
    if (this.reply.opcode === Opcode.window) {
      throw new QueueError(
        `component "${this.name}": the driver sent window: this is a run in physical time; loop on isCouplingOngoing() and advance(dt), not nextStep()`,
      );
    }
    if (this.reply.opcode !== Opcode.go) throw this.unexpected(Opcode.go);
    this.step = this.reply.payload[0] as number;
    return this.step;
  }

  /**
   * Receives the driver's next command into `reply`, answering its pings on
   * the way; true when it is stop (bye has then been sent).
   */
  private receiveCommand(): boolean {
    this.channel.receive(this.reply);
    while (this.reply.opcode === Opcode.ping) {
      this.channel.reply(this.reply, this.request.set(Opcode.pong));
      this.channel.receive(this.reply);
    }
    if (this.reply.opcode !== Opcode.stop) return false;
    this.channel.send(this.request.set(Opcode.bye));
    return true;
  }

  // ---- runs in physical time ----------------------------------------------

  /**
   * Whether the run goes on. Inside a window attempt: true at once. After the
   * attempt's last advance (and before the first window): waits for the
   * driver, answering pings, and starts the next attempt it announces; false
   * when the driver says stop (bye has then been sent; call close()).
   */
  isCouplingOngoing(): boolean {
    const time = this.timeState();
    if (this.stopped || this.closed) return false;
    if (time.inAttempt) return true;
    if (this.receiveCommand()) {
      this.stopped = true;
      return false;
    }
    if (this.reply.opcode === Opcode.go) {
      throw new QueueError(
        `component "${this.name}": the driver sent go: this is an iteration run; loop on nextStep() and done(), not isCouplingOngoing()`,
      );
    }
    if (this.reply.opcode !== Opcode.window) throw this.unexpected(Opcode.window);
    time.begin(this.reply.payload);
    return true;
  }

  /** True at the start of a window attempt whose state the component must save (then call checkpointWritten). */
  requiresWritingCheckpoint(): boolean {
    const time = this.timeState();
    return time.requires(WindowFlag.writeCheckpoint, time.checkpointWritten);
  }

  /** True at the start of a repeated window attempt: restore the saved state (then call checkpointRestored). */
  requiresReadingCheckpoint(): boolean {
    const time = this.timeState();
    return time.requires(WindowFlag.readCheckpoint, time.checkpointRestored);
  }

  /** The checkpoint is written; `time` is the component's own time (the window start). */
  checkpointWritten(time: number): void {
    const state = this.timeState();
    state.checkCheckpointAnswer(WindowFlag.writeCheckpoint, `checkpointWritten(${time})`);
    this.sendTime(Opcode.checkpointed, time, "checkpointWritten");
    state.checkpointWritten = true;
  }

  /** The checkpoint is restored; `time` is the component's own time after restoring (the window start). */
  checkpointRestored(time: number): void {
    const state = this.timeState();
    state.checkCheckpointAnswer(WindowFlag.readCheckpoint, `checkpointRestored(${time})`);
    this.sendTime(Opcode.restored, time, "checkpointRestored");
    state.checkpointRestored = true;
  }

  /** How far the component may step: the window's end minus time() (Infinity when its own step sets the window). */
  maxTimeStep(): number {
    return this.timeState().maxTimeStep();
  }

  /**
   * Field `field` of mesh `mesh`, as the driver wrote it, interpolated at
   * time() + relativeTime (relativeTime in [0, maxTimeStep()]), into `out` or
   * into the mesh's own field array; returns it.
   */
  read(mesh: string, field: string, relativeTime: number, out?: Float64Array): Float64Array {
    return this.timeState().read(mesh, field, relativeTime, out);
  }

  /**
   * Takes a step of dt (0 < dt ≤ maxTimeStep()): samples the fields the
   * component writes from its mesh arrays, and at the window's end tells the
   * driver the attempt is done.
   */
  advance(dt: number): void {
    const time = this.timeState();
    if (time.advance(dt)) {
      const request = this.request.set(Opcode.done, time.window, time.iteration);
      request.payload[DoneSlot.time] = time.time;
      request.payload[DoneSlot.substeps] = time.substeps;
      request.length = 32;
      this.channel.send(request);
    }
  }

  /** The SDK's time: the window start plus the steps taken in this attempt. */
  time(): number {
    return this.timeState().time;
  }

  /** The index of the window under way (−1 before the first). */
  window(): number {
    return this.timeState().window;
  }

  /**
   * In a run in physical time, the attempt within the window: 0 the first, k
   * the k-th repeat (−1 before the first window); in an iteration run, the
   * step the last go asked for.
   */
  iteration(): number {
    const time = this.timeCoupling;
    return time !== undefined && time.window >= 0 ? time.iteration : this.step;
  }

  /** Signals that the current step's fields are written. */
  done(): void {
    this.channel.send(this.request.set(Opcode.done, this.step));
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
    this.timeCoupling?.close();
    for (const mesh of this.meshes.values()) mesh.close();
    this.run.close();
  }

  private timeState(): TimeCoupling {
    if (this.timeCoupling === undefined) {
      throw new TimeCouplingError(`component "${this.name}": the time API needs ready() first`);
    }
    return this.timeCoupling;
  }

  private sendTime(opcode: number, time: number, what: string): void {
    if (!Number.isFinite(time)) {
      throw new TimeCouplingError(`component "${this.name}": ${what}(${time}): the time must be finite`);
    }
    const request = this.request.set(opcode);
    request.payload[CheckpointSlot.time] = time;
    request.length = 8;
    this.channel.send(request);
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
