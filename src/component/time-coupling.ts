// A component's side of a run in physical time (docs/wire-format.md,
// "Component protocol", version 2, and "Waveform"): the waveforms of its
// meshes' fields, attached after ack; the window attempt under way, as the
// driver's `window` announced it; the samples `advance` writes and the
// interpolation `read` does. Everything a read or an advance touches is made
// when the waveforms are attached, so neither allocates.
import { combineSamples, TimeInterpolation } from "../bspline/time-interpolation.ts";
import type { Run } from "../shm/run.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import { SharedWaveform } from "../shm/waveform.ts";
import { sameTime, TIME_TOLERANCE, WINDOW_FLAGS_MASK, WindowFlag, WindowSlot } from "../wire/protocol.ts";
import { WaveformRole, waveformNameProblem, waveformSegmentName } from "../wire/waveform.ts";

/** A misuse of the time API, or a window the driver announced that cannot be, naming the component. */
export class TimeCouplingError extends Error {
  override name = "TimeCouplingError";
}

/** A field the component writes: advance samples the mesh field into its waveform. */
interface WrittenField {
  readonly mesh: string;
  readonly field: string;
  readonly waveform: SharedWaveform;
  readonly values: Float64Array;
  /** Samples of the attempt under way (the writer's own count, never read back). */
  n: number;
}

/** A field the driver writes: read interpolates its waveform. */
interface ReadField {
  readonly waveform: SharedWaveform;
  readonly values: Float64Array;
  readonly interpolation: TimeInterpolation;
  readonly weights: Float64Array;
  /** The attempt and sample count the interpolation was prepared for. */
  preparedAttempt: number;
  preparedN: number;
}

export class TimeCoupling {
  /** The window index, the attempt within it, and where it lies in time. */
  window = -1;
  iteration = -1;
  start = 0;
  size = 0;
  /** The run's end time (Infinity when the run ends after a number of windows). */
  runEnd = Number.POSITIVE_INFINITY;
  flags = 0;
  /** The SDK's time: the window start plus every step of this attempt. */
  time = 0;
  substeps = 0;
  /** True from `window` until the attempt's last advance sent done. */
  inAttempt = false;
  checkpointWritten = false;
  checkpointRestored = false;
  /** Steps an attempt may take: the smallest waveform capacity − 1 (Infinity without waveforms). */
  readonly maxSubsteps: number;
  private attempt = 0;
  private readonly written: WrittenField[];
  private readonly readable: Map<string, Map<string, ReadField>>;

  private constructor(
    private readonly component: string,
    written: WrittenField[],
    readable: Map<string, Map<string, ReadField>>,
  ) {
    this.written = written;
    this.readable = readable;
    let capacity = Number.POSITIVE_INFINITY;
    for (const field of written) capacity = Math.min(capacity, field.waveform.capacity);
    for (const fields of readable.values()) {
      for (const field of fields.values()) capacity = Math.min(capacity, field.waveform.capacity);
    }
    this.maxSubsteps = capacity - 1;
  }

  /** Attaches the waveforms the driver created for the fields of `meshes`; a field without one is not coupled in time. */
  static attach(run: Run, component: string, meshes: ReadonlyMap<string, SharedMesh>): TimeCoupling {
    const written: WrittenField[] = [];
    const readable = new Map<string, Map<string, ReadField>>();
    try {
      for (const [meshName, mesh] of meshes) {
        for (const field of mesh.spec.fields) {
          if (waveformNameProblem(component, meshName, field) !== undefined) continue;
          const waveform = SharedWaveform.attach(run, waveformSegmentName(component, meshName, field), {
            count: mesh.spec.count,
          });
          if (waveform === undefined) continue;
          if (waveform.role === WaveformRole.writtenByComponent) {
            written.push({ mesh: meshName, field, waveform, values: mesh.field(field), n: waveform.readSampleCount() });
          } else {
            let fields = readable.get(meshName);
            if (fields === undefined) {
              fields = new Map();
              readable.set(meshName, fields);
            }
            fields.set(field, {
              waveform,
              values: mesh.field(field),
              interpolation: new TimeInterpolation(waveform.capacity),
              weights: new Float64Array(waveform.capacity),
              preparedAttempt: -1,
              preparedN: 0,
            });
          }
        }
      }
    } catch (error) {
      for (const field of written) field.waveform.close();
      for (const fields of readable.values()) for (const field of fields.values()) field.waveform.close();
      throw new TimeCouplingError(`component "${component}": ${(error as Error).message}`);
    }
    return new TimeCoupling(component, written, readable);
  }

  /** Whether any field of the component is coupled in time. */
  get coupled(): boolean {
    return this.written.length > 0 || this.readable.size > 0;
  }

  /** Where the attempt ends: the window's end, or the run's if that comes first. */
  get attemptEnd(): number {
    return Math.min(this.start + this.size, this.runEnd);
  }

  /** Starts the attempt a `window` record announced (its payload), after checking it. */
  begin(payload: Float64Array): void {
    const window = payload[WindowSlot.window] as number;
    const iteration = payload[WindowSlot.iteration] as number;
    const start = payload[WindowSlot.start] as number;
    const size = payload[WindowSlot.size] as number;
    const flags = payload[WindowSlot.flags] as number;
    const runEnd = payload[WindowSlot.end] as number;
    const problem =
      !Number.isInteger(window) || window < 0
        ? `window index ${window}`
        : !Number.isInteger(iteration) || iteration < 0
          ? `iteration ${iteration}`
          : !Number.isFinite(start)
            ? `start time ${start}`
            : !(size > 0)
              ? `window size ${size}`
              : !Number.isInteger(flags) || (flags & ~WINDOW_FLAGS_MASK) !== 0 || flags < 0
                ? `flags ${flags}`
                : !(runEnd > start)
                  ? `run end ${runEnd} (the window starts at ${start})`
                  : undefined;
    if (problem !== undefined) {
      throw new TimeCouplingError(`component "${this.component}": the driver sent a window with ${problem}`);
    }
    const newWindow = iteration === 0;
    this.window = window;
    this.iteration = iteration;
    this.start = start;
    this.size = size;
    this.flags = flags;
    this.runEnd = runEnd;
    this.time = start;
    this.substeps = 0;
    this.inAttempt = true;
    this.checkpointWritten = false;
    this.checkpointRestored = false;
    this.attempt++;
    for (const field of this.written) {
      const waveform = field.waveform;
      // A new window starts from the end of the converged one; a repeat keeps slot 0 as it was.
      if (newWindow && field.n > 1)
        (waveform.samples[0] as Float64Array).set(waveform.samples[field.n - 1] as Float64Array);
      if (newWindow) {
        waveform.times[0] = start;
        waveform.windowStart = start;
      }
      field.n = 1;
      waveform.publishSampleCount(1);
    }
  }

  /** Whether the driver asked for flag `flag` and it is still to be answered (no step taken yet). */
  requires(flag: number, answered: boolean): boolean {
    return this.inAttempt && (this.flags & flag) !== 0 && !answered && this.substeps === 0;
  }

  /** Checks that a checkpoint answer is due; names what is wrong otherwise. */
  checkCheckpointAnswer(flag: number, what: string): void {
    this.checkAttempt(what);
    const answered = flag === WindowFlag.writeCheckpoint ? this.checkpointWritten : this.checkpointRestored;
    const asked = flag === WindowFlag.writeCheckpoint ? "write" : "read";
    if ((this.flags & flag) === 0) {
      throw new TimeCouplingError(
        `component "${this.component}": ${what} in window ${this.window} (iteration ${this.iteration}), where the driver did not ask to ${asked} a checkpoint; call it only when requires${asked === "write" ? "Writing" : "Reading"}Checkpoint() is true`,
      );
    }
    if (answered || this.substeps > 0) {
      throw new TimeCouplingError(
        `component "${this.component}": ${what} in window ${this.window} (iteration ${this.iteration}) ${answered ? "a second time" : "after a step"}; answer once, before the first advance`,
      );
    }
  }

  checkAttempt(what: string): void {
    if (!this.inAttempt) throw this.noAttempt(what);
  }

  private noAttempt(what: string): TimeCouplingError {
    return new TimeCouplingError(
      `component "${this.component}": ${what} with no window under way; call isCouplingOngoing() first (and stop when it is false)`,
    );
  }

  /** Time left in the attempt (Infinity when the first component's step sets the window). */
  maxTimeStep(): number {
    this.checkAttempt("maxTimeStep()");
    return Math.max(0, this.attemptEnd - this.time);
  }

  /**
   * One step of dt: samples every written field at time + dt. Returns true
   * when the attempt is over (its end reached, or the step that sets a window
   * of unknown size), and done is due.
   */
  advance(dt: number): boolean {
    // Messages are made only on the way out: a template string per call would allocate on every step.
    if (!this.inAttempt) throw this.noAttempt(`advance(${dt})`);
    const end = this.attemptEnd;
    if (!(dt > 0) || !Number.isFinite(dt)) {
      throw new TimeCouplingError(`component "${this.component}": advance(${dt}): the step must be a finite time > 0`);
    }
    const next = this.time + dt;
    if (next - end > TIME_TOLERANCE * Math.max(1, Math.abs(end))) {
      throw new TimeCouplingError(
        `component "${this.component}": advance(${dt}) goes beyond maxTimeStep() = ${end - this.time} (window ${this.window} ends at ${end}); take min(dt, maxTimeStep())`,
      );
    }
    if (this.substeps + 1 > this.maxSubsteps) {
      throw new TimeCouplingError(
        `component "${this.component}": advance(${dt}) would be step ${this.substeps + 1} of window ${this.window} (iteration ${this.iteration}), more than the ${this.maxSubsteps} substeps a window holds; raise coupling.max_substeps or take larger steps`,
      );
    }
    // The window's end, or the one step that sets a window of unknown size (first-participant).
    const reachedEnd = sameTime(next, end);
    const over = reachedEnd || !Number.isFinite(this.size);
    const sampleTime = reachedEnd ? end : next;
    for (const field of this.written) {
      const waveform = field.waveform;
      (waveform.samples[field.n] as Float64Array).set(field.values);
      waveform.times[field.n] = sampleTime;
      field.n++;
      waveform.publishSampleCount(field.n);
    }
    this.time = next;
    this.substeps++;
    if (over) this.inAttempt = false;
    return over;
  }

  /** The driver-written waveform of (mesh, field) at time() + relativeTime, into `out` (default: the mesh field). */
  read(mesh: string, field: string, relativeTime: number, out?: Float64Array): Float64Array {
    if (!this.inAttempt) throw this.noAttempt(readCall(mesh, field, relativeTime));
    const entry = this.readable.get(mesh)?.get(field);
    if (entry === undefined) throw this.notReadable(mesh, field, readCall(mesh, field, relativeTime));
    const waveform = entry.waveform;
    const target = out ?? entry.values;
    if (target.length < waveform.count) {
      throw new TimeCouplingError(
        `component "${this.component}": ${readCall(mesh, field, relativeTime)}: the output holds ${target.length} values, the field has ${waveform.count}`,
      );
    }
    const remaining = this.attemptEnd - this.time;
    if (
      !Number.isFinite(relativeTime) ||
      relativeTime < -TIME_TOLERANCE * Math.max(1, Math.abs(this.time)) ||
      relativeTime - remaining > TIME_TOLERANCE * Math.max(1, Math.abs(this.attemptEnd))
    ) {
      throw new TimeCouplingError(
        `component "${this.component}": ${readCall(mesh, field, relativeTime)}: the relative time must lie in [0, maxTimeStep() = ${remaining}]`,
      );
    }
    let n: number;
    try {
      n = waveform.readSampleCount();
      if (entry.preparedAttempt !== this.attempt || entry.preparedN !== n) {
        waveform.checkTimes(n, this.start, this.start + this.size, TIME_TOLERANCE);
        entry.interpolation.prepare(waveform.times, n, waveform.degree);
        entry.preparedAttempt = this.attempt;
        entry.preparedN = n;
      }
    } catch (error) {
      entry.preparedAttempt = -1;
      throw new TimeCouplingError(
        `component "${this.component}": ${readCall(mesh, field, relativeTime)}: ${(error as Error).message}`,
      );
    }
    const interpolation = entry.interpolation;
    interpolation.readTime[0] = this.time + relativeTime;
    interpolation.weightsAtReadTime(entry.weights);
    return combineSamples(waveform.samples, entry.weights, n, target, waveform.count);
  }

  close(): void {
    for (const field of this.written) field.waveform.close();
    for (const fields of this.readable.values()) for (const field of fields.values()) field.waveform.close();
  }

  private notReadable(mesh: string, field: string, what: string): TimeCouplingError {
    const readable: string[] = [];
    for (const [meshName, fields] of this.readable)
      for (const name of fields.keys()) readable.push(`${meshName}.${name}`);
    const written = this.written.some((entry) => entry.mesh === mesh && entry.field === field);
    const reason = written
      ? `${mesh}.${field} is a field this component writes (the from of a transfer); read the fields the driver writes`
      : `${mesh}.${field} is not the target of a transfer in time`;
    return new TimeCouplingError(
      `component "${this.component}": ${what}: ${reason}; readable: ${readable.length > 0 ? readable.join(", ") : "none"}`,
    );
  }
}

function readCall(mesh: string, field: string, relativeTime: number): string {
  return `read("${mesh}", "${field}", ${relativeTime})`;
}
