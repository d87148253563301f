// serial-implicit: each window repeated until it converges, the components
// one after the other in the coupling order, each one's transfers mapped
// before the next starts; convergence measured after the last, and the
// acceleration applied to what the driver writes into the first component's
// waveforms (what preCICE calls the second participant's data).
import { runImplicitWindows } from "./implicit-windows.ts";
import type { TimeParticipant, TimeRun } from "./time-run.ts";

export function runSerialImplicit(run: TimeRun): void {
  const participants = run.participants;
  runImplicitWindows(run, (iteration) => {
    for (let index = 0; index < participants.length; index++)
      run.step(participants[index] as TimeParticipant, iteration);
  });
}
