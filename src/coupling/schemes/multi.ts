// multi: one implicit scheme over three or more components, every one at
// once, as preCICE's multi coupling. preCICE needs a controller participant
// to gather and accelerate; here the driver is the controller, so multi is
// the parallel-implicit window loop over all of them.
import { runParallelImplicit } from "./parallel-implicit.ts";
import type { TimeRun } from "./time-run.ts";

export function runMulti(run: TimeRun): void {
  runParallelImplicit(run);
}
