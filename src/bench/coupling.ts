// `conflux bench coupling`: the peer's scenario, for a fair comparison with
// preCICE (see DESIGN.md): two components in separate processes that only write
// and read a field, 3,000 uniform random 3-D points each (fixed seeds, different
// meshes), serial explicit coupling, per-window time, setup time, and the
// largest error of the returned linear field (exact with RBF-PU). One run
// here; coupling-repetitions.ts interleaves the runs with the C floor's and
// the peer's.
import { fileURLToPath } from "node:url";
import { runCoupling } from "../coupling/driver.ts";
import { checkFinite } from "../coupling/finite-check.ts";
import type { CouplingPlan } from "../coupling/plan.ts";
import { createOperator } from "../mapping/index.ts";
import { native } from "../native/index.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";
import { type OutlierCause, OutlierProbe } from "./outlier-probe.ts";
import { tailPhases } from "./tail-phases.ts";

export type CouplingOperator = "nearest" | "rbf-pu";

/** One run of the scenario: its windows as seen by A, its setup, the returned field's error, and its tail. */
export interface CouplingRun {
  /** Both transfers' setup, in ms. */
  setupMs: number;
  /** Per window, µs. */
  distribution: Distribution;
  maxError: number;
  /** checkFinite over both carried fields, µs per window (p50 of many calls on the run's own fields). */
  finiteCheckUs: number;
  /** The windows above this run's p99, and what happened in the driver's process during them. */
  tail: CouplingTail;
}

export interface CouplingTail {
  above: number;
  causes: Record<OutlierCause, number>;
  /** Per phase of a window (a component's step, a transfer), the windows above p99 it ran longest over its median in. */
  phases: Record<string, number>;
}

function operatorSpec(operator: CouplingOperator): Record<string, unknown> {
  return operator === "nearest" ? { method: "nearest" } : { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3 };
}

export function couplingBenchPlan(
  operator: CouplingOperator,
  points: number,
  windows: number,
  checkFinite = true,
): CouplingPlan {
  const module = fileURLToPath(new URL("./coupling-app.ts", import.meta.url));
  const mesh = { dimension: 3 as const, count: points, layout: "soa" as const, fields: ["written", "read"] };
  const spec = operatorSpec(operator);
  return {
    components: [
      { name: "A", kind: "process", launch: { module, args: { role: "a", points, seed: 11 } }, meshes: { mesh } },
      { name: "B", kind: "process", launch: { module, args: { role: "b", points, seed: 12 } }, meshes: { mesh } },
    ],
    transfers: [
      {
        from: { component: "A", mesh: "mesh", field: "written" },
        to: { component: "B", mesh: "mesh", field: "read" },
        operator: spec,
      },
      {
        from: { component: "B", mesh: "mesh", field: "written" },
        to: { component: "A", mesh: "mesh", field: "read" },
        operator: spec,
      },
    ],
    iterations: windows,
    order: ["A", "B"],
    startupTimeoutMs: 120_000,
    stepTimeoutMs: 60_000,
    wait: { kind: "hybrid", spinNs: 1_000_000 },
    checkFinite,
  };
}

/** Largest |returned − 2f| over A's points, where f = 1 + x + 2y + 3z. */
function returnedError(meshes: ReadonlyMap<string, SharedMesh>): number {
  const mesh = meshes.get("A.mesh");
  if (mesh === undefined) return Number.NaN;
  const count = mesh.spec.count;
  const read = mesh.field("read");
  let worst = 0;
  for (let index = 0; index < count; index++) {
    const f = 1 + mesh.coordinate(index, 0) + 2 * mesh.coordinate(index, 1) + 3 * mesh.coordinate(index, 2);
    worst = Math.max(worst, Math.abs((read[index] as number) - 2 * f));
  }
  return worst;
}

/** checkFinite over the two fields the driver carries each window, µs: the p50 of many calls on the run's own data. */
function timeFiniteCheck(meshes: ReadonlyMap<string, SharedMesh>): number {
  const fields = ["A.mesh", "B.mesh"].map((name) => meshes.get(name)?.field("written") ?? new Float64Array());
  const samples = new Float64Array(FINITE_CHECK_SAMPLES);
  let found = 0;
  for (let sample = -FINITE_CHECK_SAMPLES; sample < FINITE_CHECK_SAMPLES; sample++) {
    const started = native.monotonicNs();
    for (const field of fields) found += checkFinite(field);
    if (sample >= 0) samples[sample] = native.monotonicNs() - started;
  }
  if (found !== -4 * FINITE_CHECK_SAMPLES) throw new Error("the benchmark's fields hold a non-finite value");
  return summarize(samples).p50 / 1e3;
}

/** Calls timed (after as many to warm up): enough for a stable p50, a few ms in all. */
const FINITE_CHECK_SAMPLES = 2000;

/**
 * Windows run before the measured ones, in every column alike (ours, the C
 * floor, preCICE): the first windows of a run compile code and touch pages for
 * the first time, and are left out of every column's figures, as the C floor
 * always left them out of its own.
 */
export function warmupWindows(windows: number): number {
  return Math.floor(windows / 10) + 20;
}

/**
 * One run of `windows` windows of `points` points through `operator` after
 * warmupWindows() more, with the check for non-finite values on or off; the
 * measured windows above the run's p99 are attributed to what the driver's
 * process saw during them (outlier-probe.ts).
 */
export async function measureCouplingRun(
  operator: CouplingOperator,
  points: number,
  windows: number,
  checkFinite: boolean,
): Promise<CouplingRun> {
  let maxError = Number.NaN;
  let finiteCheckUs = Number.NaN;
  const warmup = warmupWindows(windows);
  const total = warmup + windows;
  const probe = new OutlierProbe(total);
  const result = await runCoupling(couplingBenchPlan(operator, points, total, checkFinite), {
    buildOperator: (source, target, spec) => createOperator(source, target, spec),
    output: null,
    probe,
    collect: (meshes) => {
      maxError = returnedError(meshes);
      finiteCheckUs = timeFiniteCheck(meshes);
    },
  });
  const samples = result.timings.raw("iteration");
  const measured = samples.subarray(warmup);
  const windowNs = summarize(measured);
  let above = 0;
  for (const sample of measured) if (sample > windowNs.p99) above++;
  // A window's phases: the components' steps and the transfers after each, every one recorded every window.
  const phases = new Map<string, Float64Array>();
  for (const { phase } of result.timings.summaries()) {
    const values = result.timings.raw(phase);
    if (phase !== "iteration" && values.length === samples.length) phases.set(phase, values);
  }
  return {
    setupMs: Object.values(result.setupMs).reduce((sum, ms) => sum + ms, 0),
    distribution: scaled(windowNs, 1e-3),
    maxError,
    finiteCheckUs,
    tail: {
      above,
      causes: await probe.explain(samples, samples.length, windowNs.p99, warmup),
      phases: tailPhases(samples, windowNs.p99, phases, warmup),
    },
  };
}
