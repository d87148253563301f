// `conflux bench coupling`: the peer's scenario, for a fair comparison with
// preCICE (see DESIGN.md): two components in separate processes that only write
// and read a field, 3,000 uniform random 3-D points each (fixed seeds, different
// meshes), serial explicit coupling, per-window time, setup time, and the
// largest error of the returned linear field (exact with RBF-PU).
import { fileURLToPath } from "node:url";
import { runCoupling } from "../coupling/driver.ts";
import { checkFinite } from "../coupling/finite-check.ts";
import type { CouplingPlan } from "../coupling/plan.ts";
import { createOperator } from "../mapping/index.ts";
import { native } from "../native/index.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";

export type CouplingOperator = "nearest" | "rbf-pu";

export interface CouplingRow {
  operator: CouplingOperator;
  points: number;
  /** Both transfers' setup, in ms. */
  setupMs: number;
  /** Per window, µs, with the check for non-finite values on (the default). */
  distribution: Distribution;
  maxError: number;
  /** What the check for non-finite values costs: measured alone, and as the window with it off, same invocation. */
  finiteCheck: FiniteCheckCost;
}

export interface FiniteCheckCost {
  /** checkFinite over both carried fields, µs per window (p50 of many calls on the run's own fields). */
  perWindowUs: number;
  /** Per window with coupling.check_finite false, µs. */
  withoutCheck: Distribution;
}

/** The reference: preCICE 3.4.1 measured on this machine kind (DESIGN.md). */
export const PRECICE_REFERENCE: Record<CouplingOperator, { p50_us: number; p99_us: number; setup_ms: string }> = {
  nearest: { p50_us: 232, p99_us: 404, setup_ms: "12 (one side)" },
  "rbf-pu": { p50_us: 6200, p99_us: 10200, setup_ms: "57 (one side)" },
};

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

interface Measured {
  setupMs: number;
  distribution: Distribution;
  maxError: number;
  finiteCheckUs: number;
}

async function measure(
  operator: CouplingOperator,
  points: number,
  windows: number,
  checkFinite: boolean,
): Promise<Measured> {
  let maxError = Number.NaN;
  let finiteCheckUs = Number.NaN;
  const result = await runCoupling(couplingBenchPlan(operator, points, windows, checkFinite), {
    buildOperator: (source, target, spec) => createOperator(source, target, spec),
    output: null,
    collect: (meshes) => {
      maxError = returnedError(meshes);
      finiteCheckUs = timeFiniteCheck(meshes);
    },
  });
  return {
    setupMs: Object.values(result.setupMs).reduce((sum, ms) => sum + ms, 0),
    distribution: scaled(summarize(result.timings.raw("iteration")), 1e-3),
    maxError,
    finiteCheckUs,
  };
}

/**
 * One operator's row: the windows with the check for non-finite values on (the default), then, in the same
 * invocation, the same windows with it off, and the check alone timed on the run's own fields.
 */
export async function runCouplingBenchmark(
  operator: CouplingOperator,
  points: number,
  windows: number,
): Promise<CouplingRow> {
  const checked = await measure(operator, points, windows, true);
  const unchecked = await measure(operator, points, windows, false);
  return {
    operator,
    points,
    setupMs: checked.setupMs,
    distribution: checked.distribution,
    maxError: checked.maxError,
    finiteCheck: { perWindowUs: checked.finiteCheckUs, withoutCheck: unchecked.distribution },
  };
}
