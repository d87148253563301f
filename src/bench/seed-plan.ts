// The talk's demonstration (examples/seed-dtk) as a coupling plan, for the
// benchmarks: two apps, each with its own mesh of `points` random 3-D points.
import { fileURLToPath } from "node:url";
import type { CouplingPlan } from "../coupling/plan.ts";
import type { EnclaveKind } from "../enclave/requirements.ts";

export interface SeedPlanOptions {
  kind: EnclaveKind;
  points: number;
  iterations: number;
  operator?: Record<string, unknown>;
}

export function seedDemoPlan(options: SeedPlanOptions): CouplingPlan {
  const module = (file: string) => fileURLToPath(new URL(`../../examples/seed-dtk/${file}`, import.meta.url));
  const mesh = {
    dimension: 3 as const,
    count: options.points,
    layout: "soa" as const,
    fields: ["temperature", "flux"],
  };
  const operator = options.operator ?? { method: "nearest" };
  return {
    components: [
      {
        name: "appA",
        kind: options.kind,
        launch: { module: module("app-a.ts"), args: { points: options.points, seed: 1, sweeps: 3 } },
        meshes: { surface: mesh },
      },
      {
        name: "appB",
        kind: options.kind,
        launch: { module: module("app-b.ts"), args: { points: options.points, seed: 2, sweeps: 3 } },
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
