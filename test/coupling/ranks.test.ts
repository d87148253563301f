// Components of many ranks (docs/parallel.md), started by the driver as plain
// processes: uneven partitions with an empty rank give the serial result bit
// for bit; each rank's step time is recorded; a rank killed, a rank claimed
// twice and a mesh shared twice end the run with an error that names the rank.
// Every case runs in a segment root of its own, checked empty afterwards.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { CouplingFailure } from "../../src/coupling/coupling-failure.ts";
import { type CouplingResult, runCoupling } from "../../src/coupling/driver.ts";
import type { ComponentPlan, CouplingPlan } from "../../src/coupling/plan.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { tsxLoaderUrl } from "../../src/platform/typescript-loader.ts";
import type { SharedMesh } from "../../src/shm/shared-mesh.ts";
import { privateShmRoot, SHM_ROOT_VARIABLE } from "../support/private-shm-root.ts";
import { needs, OPEN_MPI } from "../support/requirements.ts";
import { timeAppPlan } from "./time-plan.ts";

const APP = new URL("./fixtures/ranked-app.ts", import.meta.url).pathname;

function component(name: string, counts: number[], env: Record<string, string> = {}): ComponentPlan {
  return {
    name,
    kind: "process",
    launch: { module: APP, args: { counts, at: 3 }, env },
    meshes: { surface: { dimension: 3, layout: "soa", fields: ["out", "in"] } },
    ...(counts.length > 1 ? { ranks: counts.length } : {}),
  };
}

function plan(solver: ComponentPlan, total: number, iterations = 20): CouplingPlan {
  const serial = component("serial", [total]);
  return {
    components: [solver, serial],
    transfers: [
      {
        from: { component: "solver", mesh: "surface", field: "out" },
        to: { component: "serial", mesh: "surface", field: "in" },
        operator: {},
      },
      {
        from: { component: "serial", mesh: "surface", field: "out" },
        to: { component: "solver", mesh: "surface", field: "in" },
        operator: {},
      },
    ],
    iterations,
    order: ["solver", "serial"],
    startupTimeoutMs: 30_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "block" },
  };
}

async function run(
  p: CouplingPlan,
  root: string,
): Promise<{ result?: CouplingResult; error?: unknown; fields: Map<string, Float64Array> }> {
  const fields = new Map<string, Float64Array>();
  const previous = process.env[SHM_ROOT_VARIABLE];
  process.env[SHM_ROOT_VARIABLE] = root;
  try {
    const result = await runCoupling(p, {
      buildOperator: (source, target) => setupNearestNeighbour(source, target),
      output: null,
      collect: (meshes: ReadonlyMap<string, SharedMesh>) => {
        for (const [name, mesh] of meshes)
          for (const field of mesh.spec.fields) fields.set(`${name}.${field}`, Float64Array.from(mesh.field(field)));
      },
    });
    return { result, fields };
  } catch (error) {
    return { error, fields };
  } finally {
    if (previous === undefined) delete process.env[SHM_ROOT_VARIABLE];
    else process.env[SHM_ROOT_VARIABLE] = previous;
    assert.deepEqual(readdirSync(root), [], "the run left nothing in its segment root");
    assert.deepEqual(fixtureProcesses(), [], "no rank outlived the run");
  }
}

/** Every process still running the fixture. */
function fixtureProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(APP)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test("uneven partitions, one of them empty, give the serial result bit for bit, with every rank's step time", async (t) => {
  const root = privateShmRoot(t);
  const counts = [3, 0, 5, 1];
  const ranked = await run(plan(component("solver", counts), 9), root);
  assert.equal(ranked.error, undefined, String(ranked.error));
  const serial = await run(plan(component("solver", [9]), 9), root);
  assert.equal(serial.error, undefined, String(serial.error));
  assert.equal(ranked.result?.iterationsCompleted, 20);
  for (const [name, expected] of serial.fields) {
    assert.deepEqual(Array.from(ranked.fields.get(name) ?? []), Array.from(expected), `${name} as the serial run`);
  }
  // The values depend on the global index, so a partition misplaced in the union would differ from the serial run.
  const out = Array.from(ranked.fields.get("solver.surface.out") ?? []);
  assert.equal(new Set(out).size, out.length, "every point's value is its own");
  const steps = ranked.result?.rankSteps?.solver;
  assert.ok(steps, "the result has the ranks' step times");
  assert.equal(steps.length, 4);
  for (const times of steps) {
    assert.equal(times.length, 20);
    assert.ok(
      times.every((time) => time > 0),
      "each rank's step took some time",
    );
  }
  assert.equal(serial.result?.rankSteps, undefined, "a serial component has no per-rank times");
});

test("a rank killed by SIGKILL is named: component, rank, pid and signal", async (t) => {
  const root = privateShmRoot(t);
  const outcome = await run(
    plan(component("solver", [2, 2, 2], { RANKED_FAULT: "sigkill", RANKED_FAULT_RANK: "1" }), 6),
    root,
  );
  assert.ok(outcome.error instanceof CouplingFailure, String(outcome.error));
  const details = outcome.error.details;
  assert.equal(details.component, "solver");
  assert.equal(details.rank, 1);
  assert.equal(details.exit?.signal, "SIGKILL");
  assert.equal(details.iteration, 3);
  assert.ok(typeof details.pid === "number" && details.pid > 0);
  assert.match(outcome.error.message, /component "solver" rank 1 \(process enclave, pid \d+\) was killed by SIGKILL/);
});

test("a NaN from one rank is named by rank, pid and the rank's own point, with the union's beside it", async (t) => {
  const root = privateShmRoot(t);
  const outcome = await run(
    plan(component("solver", [2, 3, 2], { RANKED_FAULT: "nan", RANKED_FAULT_RANK: "1" }), 7),
    root,
  );
  assert.ok(outcome.error instanceof CouplingFailure, String(outcome.error));
  assert.equal(outcome.error.details.rank, 1);
  assert.equal(outcome.error.details.iteration, 3);
  assert.ok(typeof outcome.error.details.pid === "number" && outcome.error.details.pid > 0);
  assert.match(
    outcome.error.message,
    /^component "solver" rank 1 \(process enclave, pid \d+\) wrote NaN into field "out" of mesh "surface" at point 1 of rank 1's partition \(point 3 of the union\)/,
  );
});

test("in time, a NaN in one rank's waveform is named by rank and the rank's own point", async (t) => {
  const error = await run(
    timeAppPlan({}, { ranks: { a: [1, 0, 3] }, args: { a: { misbehave: "nan", at: 2 } } }),
    privateShmRoot(t),
  ).then((outcome) => outcome.error);
  assert.ok(error instanceof CouplingFailure, String(error));
  assert.equal(error.details.rank, 2);
  assert.match(
    error.message,
    /^component "A" rank 2 \(process enclave, pid \d+\) wrote a value that is not finite: mesh "m", field "x" \(A\.m\.x\), point 1 of rank 2's partition \(point 2 of the union\) is NaN at t = 0\.25\d* \(sample 1 of window 2\) in window 2/,
  );
});

test("two processes that claim the same rank end the run naming the rank and both pids", async (t) => {
  const root = privateShmRoot(t);
  const outcome = await run(
    plan(component("solver", [1, 1, 1], { RANKED_FAULT: "claim", RANKED_FAULT_RANK: "2", RANKED_CLAIM: "1" }), 3),
    root,
  );
  assert.ok(outcome.error instanceof CouplingFailure, String(outcome.error));
  assert.equal(outcome.error.details.rank, 1);
  assert.match(outcome.error.message, /was started twice as rank 1: pid \d+ holds it and pid \d+ claimed it too/);
});

test("a rank that shares its partition twice is refused by name", async (t) => {
  const root = privateShmRoot(t);
  let output = "";
  const p = plan(component("solver", [2, 2], { RANKED_FAULT: "share", RANKED_FAULT_RANK: "1" }), 4);
  const previous = process.env[SHM_ROOT_VARIABLE];
  process.env[SHM_ROOT_VARIABLE] = root;
  let error: unknown;
  try {
    await runCoupling(p, {
      buildOperator: (source, target) => setupNearestNeighbour(source, target),
      output: { write: (text: string) => (output += text) },
    });
  } catch (caught) {
    error = caught;
  } finally {
    if (previous === undefined) delete process.env[SHM_ROOT_VARIABLE];
    else process.env[SHM_ROOT_VARIABLE] = previous;
  }
  assert.deepEqual(readdirSync(root), []);
  assert.ok(error instanceof CouplingFailure, String(error));
  assert.equal(error.details.rank, 1);
  assert.match(error.message, /rank 1 .* before it said hello/);
  assert.match(output, /mesh "surface" is already shared by component "solver" rank 1/);
});

/** Both directions accelerated, as a parallel scheme needs (what feeds back), and as preCICE advises. */
function accelerated(plan: CouplingPlan): CouplingPlan {
  const time = plan.time as NonNullable<CouplingPlan["time"]>;
  const acceleration = time.acceleration as NonNullable<typeof time.acceleration>;
  const fields = [
    { component: "B", mesh: "m", field: "x" },
    { component: "A", mesh: "m", field: "y" },
  ];
  return { ...plan, time: { ...time, acceleration: { ...acceleration, fields } } };
}

for (const scheme of ["serial-implicit", "parallel-implicit"] as const) {
  test(`${scheme} in time, A on 3 ranks (1 + 0 + 3 points) and B on 2 (2 + 2): the serial run's waveforms, iterations and fields`, async (t) => {
    const root = privateShmRoot(t);
    const ranked = await run(accelerated(timeAppPlan({ scheme }, { ranks: { a: [1, 0, 3], b: [2, 2] } })), root);
    assert.equal(ranked.error, undefined, String(ranked.error));
    const serial = await run(accelerated(timeAppPlan({ scheme })), root);
    assert.equal(serial.error, undefined, String(serial.error));
    assert.deepEqual(
      ranked.result?.convergence?.map((window) => [window.window, window.iterations, window.converged]),
      serial.result?.convergence?.map((window) => [window.window, window.iterations, window.converged]),
    );
    assert.equal(ranked.result?.convergence?.length, 4);
    for (const [name, expected] of serial.fields) {
      const actual = Array.from(ranked.fields.get(name) ?? []);
      assert.equal(actual.length, expected.length, name);
      actual.forEach((value, point) => {
        const scale = Math.max(1, Math.abs(expected[point] as number));
        assert.ok(
          Math.abs(value - (expected[point] as number)) <= 1e-12 * scale,
          `${name}[${point}]: ${value} vs ${expected[point]}`,
        );
      });
    }
    assert.equal(ranked.result?.rankSteps?.A?.length, 3);
    assert.equal(ranked.result?.rankSteps?.B?.length, 2);
  });
}

/** The solver under Open MPI's mpirun: one process enclave, the ranks told who they are by mpirun. */
function underMpirun(counts: number[], env: Record<string, string> = {}): ComponentPlan {
  const solver = component("solver", counts, env);
  const { module: _module, ...launch } = solver.launch;
  return {
    ...solver,
    launcher: "mpirun",
    launch: { ...launch, command: [process.execPath, "--import", tsxLoaderUrl(), APP] },
  };
}

test(
  "launcher: mpirun starts the ranks, which learn their rank from Open MPI: the serial result",
  needs(OPEN_MPI),
  async (t) => {
    const root = privateShmRoot(t);
    const ranked = await run(plan(underMpirun([2, 0, 3]), 5), root);
    assert.equal(ranked.error, undefined, String(ranked.error));
    const serial = await run(plan(component("solver", [5]), 5), root);
    assert.equal(serial.error, undefined, String(serial.error));
    for (const [name, expected] of serial.fields) {
      assert.deepEqual(Array.from(ranked.fields.get(name) ?? []), Array.from(expected), `${name} as the serial run`);
    }
    assert.equal(ranked.result?.rankSteps?.solver?.length, 3);
  },
);

test(
  "launcher: mpirun, one rank killed by SIGKILL: the run names that rank, its pid and the signal",
  needs(OPEN_MPI),
  async (t) => {
    const root = privateShmRoot(t);
    const outcome = await run(
      plan(underMpirun([2, 2, 2], { RANKED_FAULT: "sigkill", RANKED_FAULT_RANK: "1" }), 6),
      root,
    );
    assert.ok(outcome.error instanceof CouplingFailure, String(outcome.error));
    assert.equal(outcome.error.details.rank, 1);
    assert.ok((outcome.error.details.pid ?? 0) > 0);
    // mpirun, the rank's parent, reports how it ended; the driver reads that from mpirun's output.
    assert.equal(outcome.error.details.exit?.signal, "SIGKILL");
    assert.match(outcome.error.message, /component "solver" rank 1 \(process enclave, pid \d+\) was killed by SIGKILL/);
    t.diagnostic(outcome.error.message);
  },
);

test(
  "launcher: mpirun, one rank that exits with code 3: the run names that rank and its code",
  needs(OPEN_MPI),
  async (t) => {
    const root = privateShmRoot(t);
    const outcome = await run(plan(underMpirun([2, 2, 2], { RANKED_FAULT: "exit", RANKED_FAULT_RANK: "2" }), 6), root);
    assert.ok(outcome.error instanceof CouplingFailure, String(outcome.error));
    assert.equal(outcome.error.details.rank, 2);
    assert.equal(outcome.error.details.exit?.code, 3);
    assert.match(outcome.error.message, /component "solver" rank 2 \(process enclave, pid \d+\) exited with code 3/);
  },
);
