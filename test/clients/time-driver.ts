// A driver of runs in physical time, for tests only: the component protocol
// version 2 over a real channel, with the waveforms of one component's mesh
// (by default "m": field "in" written by this driver, "out" by the component), so the
// clients' time API can be tested before, and apart from, the real driver.
// It is as strict as it needs to be to see what a component did: it records
// every record the component sent in an attempt, in order, and never decides
// whether that was right (the tests do).
import type { TestContext } from "node:test";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import type { Run } from "../../src/shm/run.ts";
import { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { SharedWaveform } from "../../src/shm/waveform.ts";
import { Opcode, opcodeName, TIME_DRIVER_ACCEPTS, WindowSlot } from "../../src/wire/protocol.ts";
import { WaveformRole, waveformSegmentName } from "../../src/wire/waveform.ts";

export interface Received {
  opcode: string;
  payload: number[];
}

export interface WindowAnnouncement {
  window: number;
  iteration: number;
  start: number;
  size: number;
  flags: number;
  end: number;
}

export interface DriverOptions {
  /** The mesh, the field this driver writes and the field the component writes (default "m", "in", "out"). */
  mesh?: string;
  input?: string;
  output?: string;
  /** Points of the mesh (default: what the component's mesh says). */
  count?: number;
  /** Samples each waveform holds (max_substeps + 1). */
  capacity: number;
  /** The interpolation degree of the driver-written waveform. */
  degree: number;
  /** Sample 0 of the input at t = 0 (default: the mesh field as the component wrote it before hello). */
  initial?: number[];
  /** Points of the "in" waveform, when it should disagree with the mesh (default: count). */
  inputCount?: number;
}

export class TimeDriver {
  readonly channel: Channel;
  private readonly message = new Message();
  private mesh: SharedMesh | undefined;
  input: SharedWaveform | undefined;
  output: SharedWaveform | undefined;

  constructor(
    t: TestContext,
    private readonly run: Run,
    readonly component: string,
    private readonly options: DriverOptions,
  ) {
    this.channel = Channel.create(run, `${component}.channel`, {
      capacity: 16,
      opcodes: TIME_DRIVER_ACCEPTS,
      wait: { kind: "hybrid", timeoutNs: 60e9 },
      peerDescription: `component "${component}"`,
    });
    t.after(() => {
      this.output?.close();
      this.input?.close();
      this.mesh?.close();
      this.channel.close();
    });
  }

  /** hello; the mesh checked; both waveforms created with sample 0 at t = 0; ack. */
  handshake(): void {
    this.expect("hello");
    const { mesh: meshName = "m", input = "in", output = "out" } = this.options;
    const mesh = SharedMesh.open(this.run, this.component, meshName);
    this.mesh = mesh;
    const spec = { count: this.options.count ?? mesh.spec.count, capacity: this.options.capacity };
    this.input = SharedWaveform.create(this.run, waveformSegmentName(this.component, meshName, input), {
      ...spec,
      count: this.options.inputCount ?? spec.count,
      role: WaveformRole.writtenByDriver,
      degree: this.options.degree,
    });
    this.output = SharedWaveform.create(this.run, waveformSegmentName(this.component, meshName, output), {
      ...spec,
      role: WaveformRole.writtenByComponent,
      degree: 1,
    });
    const initial = this.options.initial ?? [...mesh.field(input)];
    this.input.sample(0).set(initial.slice(0, this.input.count));
    this.input.times[0] = 0;
    this.input.publishSampleCount(1);
    this.output.sample(0).set(mesh.field(output));
    this.output.times[0] = 0;
    this.output.publishSampleCount(1);
    this.channel.send(this.message.set(Opcode.ack));
  }

  /** Writes the driver's waveform: `times` (times[0] the window start) and a sample per time. */
  writeInput(times: readonly number[], samples: readonly (readonly number[])[]): void {
    const input = this.input as SharedWaveform;
    times.forEach((time, i) => {
      input.times[i] = time;
      input.sample(i).set(samples[i] as number[]);
    });
    input.windowStart = times[0] as number;
    input.publishSampleCount(times.length);
  }

  /** Sends window and collects what the component sends until its done (or until it closes the channel). */
  attempt(window: WindowAnnouncement): Received[] {
    const message = this.message.set(Opcode.window, window.window, window.iteration);
    message.payload[WindowSlot.start] = window.start;
    message.payload[WindowSlot.size] = window.size;
    message.payload[WindowSlot.flags] = window.flags;
    message.payload[WindowSlot.end] = window.end;
    message.length = 48;
    this.channel.send(message);
    const received: Received[] = [];
    for (;;) {
      this.channel.receive(this.message);
      received.push({
        opcode: opcodeName(this.message.opcode),
        payload: [...this.message.payload.subarray(0, this.message.length / 8)],
      });
      if (this.message.opcode === Opcode.done) return received;
    }
  }

  /** The component's waveform as it stands: n, times and samples 0..n−1. */
  written(): { n: number; times: number[]; samples: number[][] } {
    const output = this.output as SharedWaveform;
    const n = output.readSampleCount();
    return {
      n,
      times: [...output.times.subarray(0, n)],
      samples: Array.from({ length: n }, (_, i) => [...output.sample(i)]),
    };
  }

  /** stop, then the component's bye. */
  stop(): void {
    this.channel.send(this.message.set(Opcode.stop));
    this.expect("bye");
  }

  private expect(name: string): void {
    this.channel.receive(this.message);
    const got = opcodeName(this.message.opcode);
    if (got !== name) throw new Error(`component "${this.component}" sent ${got} where ${name} was expected`);
  }
}
