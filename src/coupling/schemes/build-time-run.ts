// coupling/schemes/ owns the coupling loops: the iteration run, and in time serial and parallel explicit and implicit, multi.
// It must not launch components or build operators: the driver hands it started participants and built transfers.

// Sets up a run in time once every component's meshes are checked and its
// transfers built: the waveforms (before ack), the convergence measures and
// the accelerated fields on the transfers' targets, each component's sources,
// transfers and measured targets, and the timing recorders.
import type { TransferOperator } from "../../mapping/index.ts";
import type { Run } from "../../shm/run.ts";
import type { SharedMesh } from "../../shm/shared-mesh.ts";
import { createAcceleration } from "../acceleration/create-acceleration.ts";
import { WindowAttempt } from "../component-link.ts";
import { ConvergenceCriteria, type MeasureSpec } from "../convergence/convergence-criteria.ts";
import { WaveformChange } from "../convergence/waveform-change.ts";
import type { Participant, RunProgress } from "../participant.ts";
import type { PhaseTimings } from "../phase-timings.ts";
import { type CouplingPlan, type FieldAddress, fieldLabel, type TimePlan } from "../plan.ts";
import { AcceleratedWaveforms } from "../time/accelerated-waveforms.ts";
import { type CoupledWaveforms, createCoupledWaveforms } from "../time/coupled-waveforms.ts";
import type { TargetWaveform, TimeTransfer } from "../time/time-transfer.ts";
import { WindowClock } from "../time/window-clock.ts";
import { type TimeParticipant, TimeRun, type TimeRunHooks } from "./time-run.ts";

/** The phases a run in time records, beside "command queue". */
export function timePhaseNames(plan: CouplingPlan): string[] {
  return [
    ...plan.order.map((name) => `${name} step`),
    ...plan.transfers.map((transfer) => `${fieldLabel(transfer.from)} → ${fieldLabel(transfer.to)}`),
    "convergence",
    "acceleration",
    "iteration",
    "window",
  ];
}

/** Timing samples a phase keeps: every iteration of every planned window, within reason. */
export function timeTimingCapacity(time: TimePlan): number {
  const windows = new WindowClock(time).plannedWindows ?? 100_000;
  const implicit = time.scheme.endsWith("implicit") || time.scheme === "multi";
  return Math.min(4_000_000, windows * (implicit ? time.maxIterations : 1));
}

/** Creates the waveforms: called after the mesh check, before ack. */
export function createTimeWaveforms(
  run: Run,
  plan: CouplingPlan,
  operators: readonly TransferOperator[],
  meshes: ReadonlyMap<string, SharedMesh>,
): CoupledWaveforms {
  return createCoupledWaveforms(run, plan.transfers, operators, meshes, (plan.time as TimePlan).maxSubsteps);
}

/** The target whose data a measured or accelerated field names: its to, or the from of its (one) transfer. */
function targetOf(field: FieldAddress, waveforms: CoupledWaveforms): TargetWaveform {
  const label = fieldLabel(field);
  const transfer =
    waveforms.transfers.find((candidate) => candidate.target.label === label) ??
    waveforms.transfers.find((candidate) => candidate.source.label === label);
  if (transfer === undefined) throw new Error(`${label} is not a field of any transfer`);
  return transfer.target;
}

export function buildTimeRun(
  plan: CouplingPlan,
  participants: ReadonlyMap<string, Participant>,
  waveforms: CoupledWaveforms,
  timings: PhaseTimings,
  progress: RunProgress,
  stepNs: number,
  hooks: TimeRunHooks,
): TimeRun {
  const time = plan.time as TimePlan;
  const implicit = time.scheme.endsWith("implicit") || time.scheme === "multi";
  const changes = new Map<TargetWaveform, WaveformChange>();
  const measures: MeasureSpec[] = [];
  if (implicit) {
    for (const measure of time.convergence) {
      const target = targetOf(measure.field, waveforms);
      let change = changes.get(target);
      if (change === undefined) {
        change = new WaveformChange(target.waveform, target.degree);
        changes.set(target, change);
      }
      measures.push({ label: fieldLabel(measure.field), kind: measure.measure, limit: measure.limit, change });
    }
  }
  const criteria = implicit ? new ConvergenceCriteria(measures, time.maxIterations) : undefined;
  const accelerated =
    implicit && time.acceleration !== undefined
      ? new AcceleratedWaveforms(
          time.acceleration.fields.map((field) => targetOf(field, waveforms)),
          createAcceleration(time.acceleration, plan.threads ?? 1),
        )
      : undefined;
  const capacity = timeTimingCapacity(time);
  const maxSubsteps = time.maxSubsteps;
  const timed: TimeParticipant[] = plan.order.map((name) => {
    const participant = participants.get(name) as Participant;
    const transfers = waveforms.transfers.filter((transfer) => transfer.source.component === name);
    const attempt = new WindowAttempt();
    attempt.maxSubsteps = maxSubsteps;
    const measured: WaveformChange[] = [];
    for (const transfer of transfers) {
      const change = changes.get(transfer.target);
      if (change !== undefined && !measured.includes(change)) measured.push(change);
    }
    return {
      participant,
      attempt,
      sources: waveforms.sources.filter((source) => source.component === name),
      transfers,
      changes: measured,
      stepRecorder: timings.recorder(participant.stepPhase).values,
      transferRecorders: transfers.map((transfer: TimeTransfer) => timings.recorder(transfer.label).values),
    };
  });
  return new TimeRun(
    time,
    new WindowClock(time),
    timed,
    waveforms.targets,
    criteria,
    accelerated,
    {
      convergence: timings.recorder("convergence").values,
      acceleration: timings.recorder("acceleration").values,
      iteration: timings.recorder("iteration").values,
      window: timings.recorder("window").values,
      capacity,
    },
    progress,
    stepNs,
    hooks,
  );
}
