// serial-explicit in time: each window once, the components one after the
// other in the coupling order, each one's transfers mapped before the next
// starts; no checkpoints. The first component reads the others' data of the
// window before (constant in time), the later ones what this window produced.
import { native } from "../../native/index.ts";
import type { TimeParticipant, TimeRun } from "./time-run.ts";

export function runSerialExplicit(run: TimeRun): void {
  const participants = run.participants;
  while (run.clock.hasNext) {
    run.startWindow();
    const started = native.monotonicNs();
    for (let index = 0; index < participants.length; index++) run.step(participants[index] as TimeParticipant, 0);
    run.iterationDone(started);
    run.finishWindow(1, true);
  }
}
