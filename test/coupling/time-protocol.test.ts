// A component that breaks the time protocol ends the run with an error naming
// it, its window and iteration, and what it did (spec §1.1): it ignored a
// restore request, reported a wrong time after restoring, ended an attempt
// short of the window's end, wrote values that are not finite, or runs the
// loop of an iteration run; and a component of runs in time is refused in an
// iteration run. Real component processes (fixtures/time-app.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CouplingFailure } from "../../src/coupling/coupling-failure.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { timeAppPlan } from "./time-plan.ts";

async function failure(plan: CouplingPlan): Promise<CouplingFailure> {
  try {
    await runCoupling(plan, { buildOperator: (source, target) => setupNearestNeighbour(source, target), output: null });
  } catch (error) {
    assert.ok(error instanceof CouplingFailure, `a CouplingFailure, not ${String(error)}`);
    return error;
  }
  assert.fail("the run completed");
}

test("a component that ignores a restore request is named with the window and iteration", async () => {
  const error = await failure(timeAppPlan({}, { args: { b: { misbehave: "ignore-restore", at: 1 } } }));
  assert.match(
    error.message,
    /^component "B" \(process enclave, pid \d+\) ignored the restore request of window 1 \(iteration 1\): it advanced without restoring its checkpoint \(phase "B step"\)$/,
  );
  assert.deepEqual([error.details.component, error.details.window, error.details.iteration], ["B", 1, 1]);
});

test("a component whose time after restoring is not the window's start is named", async () => {
  const error = await failure(timeAppPlan({}, { args: { a: { misbehave: "restore-time", at: 2 } } }));
  assert.match(
    error.message,
    /component "A" \(process enclave, pid \d+\) reported time 0\.7\d* after restoring; the window starts at 0\.2\d* \(window 2 \(iteration 1\)\)/,
  );
});

test("a done short of the window's end is named", async () => {
  const error = await failure(
    timeAppPlan({ scheme: "serial-explicit", convergence: [] }, { args: { b: { misbehave: "short-done", at: 1 } } }),
  );
  assert.match(
    error.message,
    /component "B" .* ended window 1 \(iteration 0\) at time 0\.125, short of the window's end 0\.2 \(phase "B step"\)$/,
  );
});

test("values that stop being finite end the run naming component, mesh, field, point and window", async () => {
  const error = await failure(timeAppPlan({}, { args: { a: { misbehave: "nan", at: 2 } } }));
  assert.match(
    error.message,
    /^component "A" \(process enclave, pid \d+\) wrote a value that is not finite: mesh "m", field "x" \(A\.m\.x\), point 2 is NaN at t = 0\.25\d* \(sample 1 of window 2\) in window 2 \(iteration 0\), phase "A step"$/,
  );
});

test("a component written for iteration runs is refused in a run in time, by name", async () => {
  const error = await failure(timeAppPlan({}, { args: { b: { misbehave: "iteration-api" } } }));
  assert.equal(error.details.component, "B");
  assert.equal(error.details.window, 0);
  // The SDK refuses the window record by name (on the component's stderr) and the component exits.
  assert.match(
    error.message,
    /component "B" \(process enclave, pid \d+\) exited with code 1 in window 0 \(iteration 0\), phase "B step"/,
  );
});

test("a component of runs in time is refused in an iteration run, by name", async () => {
  const plan = timeAppPlan({});
  const { time: _time, ...iterations } = plan;
  const error = await failure({
    ...iterations,
    iterations: 3,
    components: plan.components.map((component) => ({ ...component, kind: "thread" as const })),
  });
  assert.match(
    error.message,
    /the driver sent go: this is an iteration run; loop on nextStep\(\) and done\(\), not isCouplingOngoing\(\)/,
  );
});
