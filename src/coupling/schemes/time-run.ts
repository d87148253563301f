// What every scheme of a run in time shares: the components in order with
// their links and waveforms, the window clock, the convergence measures, the
// acceleration, the timings and the convergence history. A scheme composes
// these steps: announce an attempt, complete it (its records, then its
// waveforms checked and mapped), measure, accelerate, finish the window.
import { native } from "../../native/index.ts";
import { anyTruncated } from "../../shm/truncation.ts";
import { WindowFlag } from "../../wire/protocol.ts";
import type { WindowAttempt } from "../component-link.ts";
import type { ConvergenceCriteria, Residual } from "../convergence/convergence-criteria.ts";
import type { WaveformChange } from "../convergence/waveform-change.ts";
import { CouplingFailure } from "../coupling-failure.ts";
import { describeNonFinite } from "../finite-check.ts";
import type { Participant, RunProgress } from "../participant.ts";
import type { TimePlan } from "../plan.ts";
import { RankGroupLink } from "../ranks/rank-group-link.ts";
import { describePoint, rankedPoint, rankPid } from "../ranks/rank-participants.ts";
import type { AcceleratedWaveforms } from "../time/accelerated-waveforms.ts";
import type { AttemptSpan, SourceWaveform, TargetWaveform, TimeTransfer } from "../time/time-transfer.ts";
import type { WindowClock } from "../time/window-clock.ts";

/** One window of the run record's convergence history (docs/run-record.md). */
export interface WindowConvergence {
  window: number;
  start: number;
  size: number;
  /** Attempts the window took (1 in an explicit scheme). */
  iterations: number;
  /** Whether every measure held (an explicit scheme measures nothing: true). */
  converged: boolean;
  /** Per measured field, per iteration: ‖Δ‖₂ and ‖Δ‖₂ / ‖x̃‖₂. */
  residuals: Record<string, Residual[]>;
  /** The acceleration's method, or "none". */
  acceleration: string;
}

export interface TimeParticipant {
  participant: Participant;
  attempt: WindowAttempt;
  /** The waveforms the component writes. */
  sources: SourceWaveform[];
  /** The transfers from it, mapped after its attempt. */
  transfers: TimeTransfer[];
  /** The measured changes of those transfers' targets, snapshot before mapping. */
  changes: WaveformChange[];
  stepRecorder: Float64Array;
  transferRecorders: Float64Array[];
}

export interface TimeRecorders {
  convergence: Float64Array;
  acceleration: Float64Array;
  iteration: Float64Array;
  window: Float64Array;
  /** Samples each can hold. */
  capacity: number;
}

export interface TimeRunHooks {
  /** After every window, for progress displays. */
  onWindow?(completed: number): void;
  /** After every window, with the window's index and end time: the meshes hold what it left. */
  windowDone?(window: number, end: number): void;
  /** Throws the failure of a segment of the run found truncated (RunGuard.truncation). */
  truncation?(iteration: number, phase: string): void;
}

export class TimeRun {
  readonly history: WindowConvergence[] = [];
  /** Coupling iterations so far (the index into the per-iteration timings). */
  iterations = 0;
  /** Iterations measured and accelerated so far (their phases' sample counts). */
  measured = 0;
  accelerations = 0;
  /** The window's span, for the acceleration's grid: one object updated in place. */
  readonly span: AttemptSpan = { start: Number.NaN, end: Number.NaN };
  private readonly doneSpan: AttemptSpan = { start: Number.NaN, end: Number.NaN };
  private readonly changes: WaveformChange[];
  private windowStarted = 0;

  constructor(
    readonly plan: TimePlan,
    readonly clock: WindowClock,
    /** In the coupling order. */
    readonly participants: readonly TimeParticipant[],
    private readonly targets: readonly TargetWaveform[],
    readonly criteria: ConvergenceCriteria | undefined,
    readonly accelerated: AcceleratedWaveforms | undefined,
    private readonly recorders: TimeRecorders,
    private readonly progress: RunProgress,
    private readonly stepNs: number,
    private readonly hooks: TimeRunHooks,
  ) {
    this.changes = criteria?.changes ?? [];
  }

  get implicit(): boolean {
    return (
      this.plan.scheme === "serial-implicit" || this.plan.scheme === "parallel-implicit" || this.plan.scheme === "multi"
    );
  }

  /** The next window: the clock moves on, every target starts again from its last sample. */
  startWindow(): void {
    this.clock.advance();
    const start = this.clock.start;
    for (let index = 0; index < this.targets.length; index++) (this.targets[index] as TargetWaveform).restart(start);
    this.progress.window = this.clock.index;
    this.windowStarted = native.monotonicNs();
  }

  /** Sends component `who` the window's attempt `iteration`. */
  announce(who: TimeParticipant, iteration: number): void {
    const clock = this.clock;
    const attempt = who.attempt;
    attempt.window = clock.index;
    attempt.iteration = iteration;
    attempt.start = clock.start;
    attempt.size = clock.size;
    attempt.runEnd = clock.end;
    let flags = 0;
    if (this.implicit) flags = iteration === 0 ? WindowFlag.writeCheckpoint : WindowFlag.readCheckpoint;
    if (clock.last) flags |= WindowFlag.lastWindow;
    attempt.flags = flags;
    this.progress.iteration = iteration;
    this.progress.phase = who.participant.stepPhase;
    who.participant.link.sendWindow(attempt);
  }

  /** Waits for `who`'s attempt; its written waveforms are then checked. `sent` is when it was announced. */
  complete(who: TimeParticipant, sent: number): void {
    const attempt = who.attempt;
    this.progress.phase = who.participant.stepPhase;
    who.participant.link.awaitAttempt(attempt, this.stepNs);
    if (this.hooks.truncation !== undefined && anyTruncated())
      this.hooks.truncation(attempt.iteration, this.progress.phase);
    if (attempt.size === Number.POSITIVE_INFINITY) {
      // first-participant: this step set the window.
      this.clock.setSize(attempt.doneTime - attempt.start);
    }
    const index = this.iterations;
    if (index < this.recorders.capacity) who.stepRecorder[index] = native.monotonicNs() - sent;
    this.doneSpan.start = attempt.start;
    this.doneSpan.end = attempt.doneTime;
    for (let source = 0; source < who.sources.length; source++) {
      const waveform = who.sources[source] as SourceWaveform;
      const problem = waveform.check(attempt.substeps, this.doneSpan);
      if (problem !== undefined) throw this.failure(who, problem);
      if (waveform.badSample >= 0) {
        throw this.failure(
          who,
          this.nonFinite(who, waveform),
          rankedPoint(who.participant.link, waveform.mesh, waveform.badPoint)?.rank,
        );
      }
    }
  }

  /** Maps every transfer from `who` (snapshotting the measured targets first). */
  mapFrom(who: TimeParticipant): void {
    for (let index = 0; index < who.changes.length; index++) (who.changes[index] as WaveformChange).snapshot();
    let previous = native.monotonicNs();
    const at = this.iterations;
    for (let index = 0; index < who.transfers.length; index++) {
      const transfer = who.transfers[index] as TimeTransfer;
      this.progress.phase = transfer.label;
      transfer.map();
      const now = native.monotonicNs();
      if (at < this.recorders.capacity) (who.transferRecorders[index] as Float64Array)[at] = now - previous;
      previous = now;
    }
  }

  /** Serial schemes: one component's attempt, then its transfers. */
  step(who: TimeParticipant, iteration: number): void {
    const sent = native.monotonicNs();
    this.announce(who, iteration);
    this.complete(who, sent);
    this.mapFrom(who);
  }

  /** Parallel schemes: every component's attempt at once, then every transfer. */
  stepAll(iteration: number): void {
    const sent = native.monotonicNs();
    const participants = this.participants;
    for (let index = 0; index < participants.length; index++)
      this.announce(participants[index] as TimeParticipant, iteration);
    for (let index = 0; index < participants.length; index++)
      this.complete(participants[index] as TimeParticipant, sent);
    for (let index = 0; index < participants.length; index++) this.mapFrom(participants[index] as TimeParticipant);
  }

  /** After iteration `iteration`'s transfers: whether the window has converged. */
  measure(iteration: number): boolean {
    const criteria = this.criteria as ConvergenceCriteria;
    this.progress.phase = "convergence";
    const started = native.monotonicNs();
    for (let index = 0; index < this.changes.length; index++) (this.changes[index] as WaveformChange).measure();
    const converged = criteria.evaluate(iteration, this.plan.minIterations);
    if (this.measured < this.recorders.capacity)
      this.recorders.convergence[this.measured] = native.monotonicNs() - started;
    this.measured++;
    return converged;
  }

  /** The window goes on: the next iterate into the accelerated waveforms. */
  accelerate(iteration: number): void {
    const accelerated = this.accelerated;
    if (accelerated === undefined) return;
    this.progress.phase = "acceleration";
    const started = native.monotonicNs();
    this.setSpan();
    accelerated.perform(this.clock.index, iteration, this.span);
    if (this.accelerations < this.recorders.capacity) {
      this.recorders.acceleration[this.accelerations] = native.monotonicNs() - started;
    }
    this.accelerations++;
    if (accelerated.badField >= 0) {
      throw new Error(
        `the ${accelerated.name} acceleration produced a value that is not finite: ${accelerated.label(accelerated.badField)} point ${accelerated.badPoint} (sample ${accelerated.badSample}) in window ${this.clock.index} (iteration ${iteration}); the coupling iteration diverged`,
      );
    }
  }

  /** One coupling iteration is over (timed from `started`). */
  iterationDone(started: number): void {
    if (this.iterations < this.recorders.capacity)
      this.recorders.iteration[this.iterations] = native.monotonicNs() - started;
    this.iterations++;
  }

  /** The window is over after `iterations` attempts: the acceleration keeps what it reuses, the history a record. */
  finishWindow(iterations: number, converged: boolean): void {
    const accelerated = this.accelerated;
    if (accelerated !== undefined) {
      this.progress.phase = "acceleration";
      this.setSpan();
      accelerated.converged(this.clock.index, this.span);
    }
    const window = this.clock.index;
    if (window < this.recorders.capacity) this.recorders.window[window] = native.monotonicNs() - this.windowStarted;
    this.history.push({
      window,
      start: this.clock.start,
      size: this.clock.size,
      iterations,
      converged,
      residuals: this.criteria?.windowResiduals() ?? {},
      acceleration: accelerated?.name ?? "none",
    });
    this.progress.completed = window + 1;
    this.progress.iteration = -1;
    this.hooks.windowDone?.(window, this.clock.start + this.clock.size);
    this.hooks.onWindow?.(window + 1);
  }

  /** The error for a window that reached max_iterations without converging, on_max_iterations: stop. */
  notConverged(iterations: number): Error {
    const criteria = this.criteria as ConvergenceCriteria;
    return new Error(
      `window ${this.clock.index} (t = ${this.clock.start} to ${this.clock.start + this.clock.size}) did not converge within ${iterations} iterations (coupling.max_iterations, on_max_iterations: stop): ${criteria.describeFailing()}`,
    );
  }

  private setSpan(): void {
    this.span.start = this.clock.start;
    this.span.end = this.clock.start + this.clock.size;
  }

  private nonFinite(who: TimeParticipant, waveform: SourceWaveform): string {
    const values = waveform.waveform.samples[waveform.badSample] as Float64Array;
    const value = values[waveform.badPoint] as number;
    const time = waveform.waveform.times[waveform.badSample] as number;
    const point = describePoint(who.participant.link, waveform.mesh, waveform.badPoint);
    return `wrote a value that is not finite: mesh "${waveform.mesh}", field "${waveform.field}" (${waveform.label}), ${point} is ${describeNonFinite(value)} at t = ${time} (sample ${waveform.badSample} of window ${this.clock.index})`;
  }

  /** The failure of `who`, of its rank `rank` when the component runs as many. */
  private failure(who: TimeParticipant, reason: string, rank?: number): CouplingFailure {
    const participant = who.participant;
    const link = participant.link;
    let pid: number | undefined;
    try {
      pid =
        rank !== undefined && link instanceof RankGroupLink
          ? rankPid(participant.enclave, link, rank)
          : participant.enclave.pid;
    } catch {
      pid = undefined;
    }
    return new CouplingFailure({
      component: participant.plan.name,
      ...(rank === undefined ? {} : { rank }),
      enclave: participant.plan.kind,
      pid,
      window: who.attempt.window,
      iteration: who.attempt.iteration,
      phase: participant.stepPhase,
      reason,
    });
  }
}
