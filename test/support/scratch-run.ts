// A run created for one test and removed when the test ends, pass or fail.
import type { TestContext } from "node:test";
import { Run, type RunCreation } from "../../src/shm/run.ts";

export function scratchRun(t: TestContext, options: RunCreation = {}): Run {
  const run = Run.create({ handleSignals: false, ...options });
  t.after(() => run.close());
  return run;
}
