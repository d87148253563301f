// The loop of an iteration run (serial explicit coupling, the talk's): for N
// iterations, in the plan's order, signal a component, wait for its step, and
// transfer its fields onto the other components' meshes, timing each phase.
// Before a field is carried it is checked finite (unless the plan says not to),
// and wherever a truncated segment would first show, the SIGBUS marks are read.
import type { TransferOperator } from "../../mapping/index.ts";
import { native } from "../../native/index.ts";
import { anyTruncated } from "../../shm/truncation.ts";
import { checkFinite } from "../finite-check.ts";
import type { GuardedTransfer, Participant, RunGuard, RunProgress } from "../participant.ts";
import type { PhaseTimings } from "../phase-timings.ts";

export interface IterationProbe {
  before(iteration: number): void;
  after(iteration: number): void;
}

/** What of the driver's hooks the loop calls. */
export interface IterationHooks {
  onIteration?(completed: number): void;
  probe?: IterationProbe;
}

export interface BoundTransfer extends GuardedTransfer {
  label: string;
  operator: TransferOperator;
  source: Float64Array;
  target: Float64Array;
}

export function runIterations(
  steps: Participant[],
  transfers: BoundTransfer[],
  iterations: number,
  stepNs: number,
  timings: PhaseTimings,
  hooks: IterationHooks,
  progress: RunProgress,
  guard: RunGuard,
  finiteOnly: boolean,
): void {
  const stepRecorders = steps.map((participant) => timings.recorder(participant.stepPhase).values);
  const transfersAfter = steps.map((participant) =>
    transfers.filter((transfer) => transfer.label.startsWith(`${participant.plan.name}.`)),
  );
  const transferRecorders = transfersAfter.map((list) =>
    list.map((transfer) => timings.recorder(transfer.label).values),
  );
  const iterationRecorder = timings.recorder("iteration").values;
  const probe = hooks.probe;
  for (let iteration = 0; iteration < iterations; iteration++) {
    progress.iteration = iteration;
    if (probe !== undefined) probe.before(iteration);
    const iterationStart = native.monotonicNs();
    for (let index = 0; index < steps.length; index++) {
      const participant = steps[index] as Participant;
      progress.phase = participant.stepPhase;
      const stepStart = native.monotonicNs();
      participant.link.go(iteration);
      participant.link.awaitDone(iteration, stepNs);
      if (anyTruncated()) guard.truncation(iteration, progress.phase);
      const afterStep = native.monotonicNs();
      (stepRecorders[index] as Float64Array)[iteration] = afterStep - stepStart;
      const after = transfersAfter[index] as BoundTransfer[];
      const recorders = transferRecorders[index] as Float64Array[];
      let previous = afterStep;
      for (let transferIndex = 0; transferIndex < after.length; transferIndex++) {
        const transfer = after[transferIndex] as BoundTransfer;
        progress.phase = transfer.label;
        if (anyTruncated()) guard.truncation(iteration, progress.phase);
        if (finiteOnly) {
          const point = checkFinite(transfer.source);
          if (point >= 0) throw guard.nonFinite(transfer, point, iteration, progress.phase);
        }
        transfer.operator.apply(transfer.source, transfer.target);
        // The apply itself may have been the first to touch a truncated page (its SIGBUS now a mark).
        if (anyTruncated()) guard.truncation(iteration, progress.phase);
        const now = native.monotonicNs();
        (recorders[transferIndex] as Float64Array)[iteration] = now - previous;
        previous = now;
      }
    }
    iterationRecorder[iteration] = native.monotonicNs() - iterationStart;
    if (guard.freeRunning !== undefined) guard.freeRunning(iteration);
    if (probe !== undefined) probe.after(iteration);
    progress.completed = iteration + 1;
    if (hooks.onIteration !== undefined) hooks.onIteration(progress.completed);
  }
}
