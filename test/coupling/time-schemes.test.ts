// The driver's runs in physical time, with real component processes on the
// SDK's time API (fixtures/time-app.ts: a and b coupled by x = 0.5·y + 1 + t,
// y = −0.8·x + 2, whose fixed point at t is x = (2 + t)/1.4): every scheme
// reaches what it should (the fixed point at every window's end for the
// implicit ones, the lagged values for the explicit ones), first-participant
// windows, windows cut at max_time, subcycling, and what min_iterations and
// max_iterations do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CouplingResult, runCoupling } from "../../src/coupling/driver.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import type { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { fixedPoint, timeAppPlan } from "./time-plan.ts";

interface Outcome {
  result: CouplingResult;
  fields: Map<string, number[]>;
}

async function run(plan: CouplingPlan): Promise<Outcome> {
  const fields = new Map<string, number[]>();
  const result = await runCoupling(plan, {
    buildOperator: (source, target) => setupNearestNeighbour(source, target),
    output: null,
    collect: (meshes: ReadonlyMap<string, SharedMesh>) => {
      for (const [name, mesh] of meshes) {
        for (const field of mesh.spec.fields) fields.set(`${name}.${field}`, [...mesh.field(field)]);
      }
    },
  });
  return { result, fields };
}

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

/** A parallel scheme accelerates both directions (what feeds back), as preCICE advises. */
function bothAccelerated(plan: CouplingPlan): CouplingPlan {
  const time = plan.time as NonNullable<CouplingPlan["time"]>;
  const acceleration = time.acceleration as NonNullable<typeof time.acceleration>;
  return {
    ...plan,
    time: {
      ...time,
      acceleration: {
        ...acceleration,
        fields: [
          { component: "B", mesh: "m", field: "x" },
          { component: "A", mesh: "m", field: "y" },
        ],
      },
    },
  };
}

for (const scheme of ["serial-implicit", "parallel-implicit"] as const) {
  test(`${scheme}: every window converges to the coupled fixed point, substeps and all`, async () => {
    const plan = timeAppPlan({ scheme });
    const { result, fields } = await run(scheme === "serial-implicit" ? plan : bothAccelerated(plan));
    const windows = result.convergence ?? [];
    assert.deepEqual(
      windows.map((window) => [window.window, window.converged]),
      [0, 1, 2, 3].map((window) => [window, true]),
    );
    for (const window of windows) {
      assert.ok(window.iterations <= (scheme === "serial-implicit" ? 6 : 8), `${scheme}: ${window.iterations}`);
      assert.equal(window.acceleration, "iqn-ils");
      assert.equal(window.residuals["A.m.y"]?.length, window.iterations);
      close(window.start, window.window * 0.1, 1e-12, "window start");
    }
    // The last values each wrote, at t = 0.4: the fixed point.
    const expected = fixedPoint(0.4);
    for (const value of fields.get("A.m.x") ?? []) close(value, expected.x, 1e-9, "x");
    for (const value of fields.get("B.m.y") ?? []) close(value, expected.y, 1e-9, "y");
    assert.equal(result.iterationsCompleted, 4);
    const phases = new Map(result.timings.summaries().map((entry) => [entry.phase, entry.distribution.n]));
    const iterations = windows.reduce((total, window) => total + window.iterations, 0);
    assert.equal(phases.get("iteration"), iterations);
    assert.equal(phases.get("window"), 4);
    assert.equal(
      phases.get("acceleration"),
      iterations - 4,
      "accelerated after every iteration but each window's last",
    );
  });
}

test("multi: three components, every one at once, converge together", async () => {
  const plan = bothAccelerated(timeAppPlan({ scheme: "multi" }, { third: true }));
  // c's input is neither accelerated nor fed back: measured, it converges with the rest.
  plan.time?.convergence.push({ field: { component: "C", mesh: "m", field: "x" }, measure: "relative", limit: 1e-12 });
  const { result, fields } = await run(plan);
  assert.ok((result.convergence ?? []).every((window) => window.converged));
  const expected = fixedPoint(0.4);
  for (const value of fields.get("C.m.z") ?? []) close(value, expected.x, 1e-9, "z (c's copy of x)");
});

test("serial-explicit: one attempt a window, b reading this window's x, a the last window's y", async () => {
  const { result, fields } = await run(
    timeAppPlan({ scheme: "serial-explicit", convergence: [] }, { args: { a: { dt: 0.1 }, b: { dt: 0.1 } } }),
  );
  assert.deepEqual(
    (result.convergence ?? []).map((window) => window.iterations),
    [1, 1, 1, 1],
  );
  // One step a window: a reads b's y of the window before, b this window's x.
  let y = 0;
  let x = 0;
  for (let window = 0; window < 4; window++) {
    x = 0.5 * y + 1 + 0.1 * (window + 1);
    y = -0.8 * x + 2;
  }
  close((fields.get("A.m.x") ?? [])[0] as number, x, 1e-12, "x");
  close((fields.get("B.m.y") ?? [])[0] as number, y, 1e-12, "y");
});

test("parallel-explicit: both read the other's values of the window before", async () => {
  const { fields } = await run(
    timeAppPlan({ scheme: "parallel-explicit", convergence: [] }, { args: { a: { dt: 0.1 }, b: { dt: 0.1 } } }),
  );
  let x = 1;
  let y = 0;
  for (let window = 0; window < 4; window++) [x, y] = [0.5 * y + 1 + 0.1 * (window + 1), -0.8 * x + 2];
  close((fields.get("A.m.x") ?? [])[0] as number, x, 1e-12, "x");
  close((fields.get("B.m.y") ?? [])[0] as number, y, 1e-12, "y");
});

test("first-participant: a's one step sets each window and b subcycles in it", async () => {
  const { result, fields } = await run(
    timeAppPlan({ window: "first-participant" }, { args: { a: { dt: 0.125 }, b: { dt: 0.05 } } }),
  );
  const windows = result.convergence ?? [];
  assert.deepEqual(
    windows.map((window) => window.size),
    [0.125, 0.125, 0.125, 0.125],
  );
  close(windows[3]?.start ?? 0, 0.375, 1e-12, "the last window's start");
  const expected = fixedPoint(0.5);
  for (const value of fields.get("A.m.x") ?? []) close(value, expected.x, 1e-9, "x at t = 0.5");
});

test("max_time cuts the last window to end there; subcycling with different steps still converges", async () => {
  const { result, fields } = await run(
    timeAppPlan({ windows: undefined, maxTime: 0.35 }, { args: { a: { dt: 0.025 }, b: { dt: 0.1 / 3 } } }),
  );
  const windows = result.convergence ?? [];
  assert.equal(windows.length, 4);
  close(windows[3]?.size ?? 0, 0.05, 1e-12, "the last window's size");
  assert.ok(windows.every((window) => window.converged));
  // Reads interpolate linearly between the other's samples; at the end both sides have a sample.
  const expected = fixedPoint(0.35);
  for (const value of fields.get("B.m.y") ?? []) close(value, expected.y, 1e-2, "y at t = 0.35");
});

test("max_iterations with on_max_iterations stop ends the run naming the window and its residuals", async () => {
  const plan = timeAppPlan({ maxIterations: 2 });
  await assert.rejects(run(plan), (error: Error) => {
    assert.match(
      error.message,
      /^window 0 \(t = 0 to 0\.1\) did not converge within 2 iterations \(coupling\.max_iterations, on_max_iterations: stop\): B\.m\.x relative \S+ \(limit 1e-12\)/,
    );
    const partial = (error as Error & { partial: { convergence: unknown[] } }).partial;
    assert.deepEqual(partial.convergence, []);
    return true;
  });
});

test("max_iterations with on_max_iterations continue goes on, marking the windows not converged", async () => {
  const { result } = await run(timeAppPlan({ maxIterations: 2, onMaxIterations: "continue" }));
  const windows = result.convergence ?? [];
  assert.deepEqual(
    windows.map((window) => [window.iterations, window.converged]),
    [
      [2, false],
      [2, false],
      [2, false],
      [2, false],
    ],
  );
});

test("min_iterations holds a window that converges in its first iteration to that many, in the history", async () => {
  // With no drift the fixed point stands still: once window 0 has found it, a later window's first attempt repeats it.
  const still = { args: { a: { drift: 0 } } };
  const free = (await run(timeAppPlan({}, still))).result.convergence ?? [];
  assert.deepEqual(
    free.slice(1).map((window) => [window.iterations, window.converged]),
    [
      [1, true],
      [1, true],
      [1, true],
    ],
    "without min_iterations, windows 1 to 3 converge in one iteration",
  );
  const { result, fields } = await run(timeAppPlan({ minIterations: 3 }, still));
  const held = result.convergence ?? [];
  assert.equal(held.length, 4);
  assert.ok((held[0]?.iterations ?? 0) >= 3, `window 0: ${held[0]?.iterations}`);
  for (const window of held.slice(1)) {
    assert.deepEqual([window.iterations, window.converged], [3, true], `window ${window.window}`);
    for (const label of ["B.m.x", "A.m.y"]) {
      const residuals = window.residuals[label] ?? [];
      assert.equal(residuals.length, 3, `${label}: one residual per iteration`);
      for (const residual of residuals) assert.ok(residual.relative <= 1e-12, `${label}: ${residual.relative}`);
    }
  }
  // Iterating on at the fixed point keeps it.
  const expected = fixedPoint(0);
  for (const value of fields.get("A.m.x") ?? []) close(value, expected.x, 1e-9, "x");
  for (const value of fields.get("B.m.y") ?? []) close(value, expected.y, 1e-9, "y");
});
