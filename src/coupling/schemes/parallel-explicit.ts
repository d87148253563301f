// parallel-explicit in time: each window once, every component at once
// (each reads what the others produced in the window before, constant in
// time), then every transfer; no checkpoints.
import { native } from "../../native/index.ts";
import type { TimeRun } from "./time-run.ts";

export function runParallelExplicit(run: TimeRun): void {
  while (run.clock.hasNext) {
    run.startWindow();
    const started = native.monotonicNs();
    run.stepAll(0);
    run.iterationDone(started);
    run.finishWindow(1, true);
  }
}
