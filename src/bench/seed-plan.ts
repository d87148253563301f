// The talk's demonstration (examples/seed-dtk) as a coupling plan, for the
// benchmarks and the tests: two apps, each with its own mesh of `points`
// random 3-D points.
import type { CouplingPlan } from "../coupling/plan.ts";
import type { EnclaveKind } from "../enclave/kind.ts";
import { packagePath } from "../platform/package-root.ts";

export interface SeedPlanOptions {
  kind: EnclaveKind;
  points: number;
  iterations: number;
  operator?: Record<string, unknown>;
  /** Module files, relative to examples/seed-dtk (default app-a.ts and app-b.ts). */
  modules?: { a: string; b: string };
}

/** The apps' parameters: each its own seed, so the meshes differ. */
export function seedArgs(points: number): { a: Record<string, number>; b: Record<string, number> } {
  return { a: { points, seed: 1, sweeps: 3 }, b: { points, seed: 2, sweeps: 3 } };
}

export function seedDemoPlan(options: SeedPlanOptions): CouplingPlan {
  const module = (file: string) => packagePath(`examples/seed-dtk/${file}`);
  const mesh = {
    dimension: 3 as const,
    count: options.points,
    layout: "soa" as const,
    fields: ["temperature", "flux"],
  };
  const operator = options.operator ?? { method: "nearest" };
  const modules = options.modules ?? { a: "app-a.ts", b: "app-b.ts" };
  const args = seedArgs(options.points);
  return {
    components: [
      {
        name: "appA",
        kind: options.kind,
        launch: { module: module(modules.a), args: args.a },
        meshes: { surface: mesh },
      },
      {
        name: "appB",
        kind: options.kind,
        launch: { module: module(modules.b), args: args.b },
        meshes: { surface: mesh },
      },
    ],
    transfers: [
      {
        from: { component: "appA", mesh: "surface", field: "temperature" },
        to: { component: "appB", mesh: "surface", field: "temperature" },
        operator,
      },
      {
        from: { component: "appB", mesh: "surface", field: "flux" },
        to: { component: "appA", mesh: "surface", field: "flux" },
        operator,
      },
    ],
    iterations: options.iterations,
    order: ["appA", "appB"],
    startupTimeoutMs: 120_000,
    stepTimeoutMs: 60_000,
    wait: { kind: "hybrid", spinNs: 1_000_000 },
  };
}

export const A_TO_B = "appA.surface.temperature → appB.surface.temperature";
export const B_TO_A = "appB.surface.flux → appA.surface.flux";
