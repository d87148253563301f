// The window loop every implicit scheme shares: a window's first attempt asks
// each component to write a checkpoint, every repeat to restore it; after each
// iteration the convergence measures decide, and until they hold the
// acceleration makes the next iterate. At max_iterations the run stops with an
// error naming the window and its residuals, or goes on to the next window
// (on_max_iterations: continue). What one iteration is, the scheme says.
import { native } from "../../native/index.ts";
import type { TimeRun } from "./time-run.ts";

export function runImplicitWindows(run: TimeRun, iterate: (iteration: number) => void): void {
  const maxIterations = run.plan.maxIterations;
  while (run.clock.hasNext) {
    run.startWindow();
    for (let iteration = 0; ; iteration++) {
      const started = native.monotonicNs();
      iterate(iteration);
      const converged = run.measure(iteration);
      const last = iteration + 1 >= maxIterations;
      if (!converged && !last) run.accelerate(iteration);
      run.iterationDone(started);
      if (converged || last) {
        if (!converged && run.plan.onMaxIterations === "stop") throw run.notConverged(iteration + 1);
        run.finishWindow(iteration + 1, converged);
        break;
      }
    }
  }
}
