// parallel-implicit: each window repeated until it converges, every component
// at once, then every transfer; convergence measured and the concatenation of
// the accelerated fields accelerated after each iteration.
import { runImplicitWindows } from "./implicit-windows.ts";
import type { TimeRun } from "./time-run.ts";

export function runParallelImplicit(run: TimeRun): void {
  runImplicitWindows(run, (iteration) => run.stepAll(iteration));
}
