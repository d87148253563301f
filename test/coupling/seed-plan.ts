// The seed demonstration as a coupling plan, for the driver's tests.
import { fileURLToPath } from "node:url";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import type { EnclaveKind } from "../../src/enclave/requirements.ts";

export const SEED_ARGS = {
  a: { points: 3000, seed: 1, sweeps: 3 },
  b: { points: 3000, seed: 2, sweeps: 3 },
};

export function seedPlan(
  kind: EnclaveKind,
  iterations: number,
  modules = { a: "app-a.ts", b: "app-b.ts" },
): CouplingPlan {
  const module = (file: string) => fileURLToPath(new URL(`../../examples/seed-dtk/${file}`, import.meta.url));
  const mesh = { dimension: 3 as const, count: 3000, layout: "soa" as const, fields: ["temperature", "flux"] };
  return {
    components: [
      { name: "appA", kind, launch: { module: module(modules.a), args: SEED_ARGS.a }, meshes: { surface: mesh } },
      { name: "appB", kind, launch: { module: module(modules.b), args: SEED_ARGS.b }, meshes: { surface: mesh } },
    ],
    transfers: [
      {
        from: { component: "appA", mesh: "surface", field: "temperature" },
        to: { component: "appB", mesh: "surface", field: "temperature" },
        operator: { method: "nearest" },
      },
      {
        from: { component: "appB", mesh: "surface", field: "flux" },
        to: { component: "appA", mesh: "surface", field: "flux" },
        operator: { method: "nearest" },
      },
    ],
    iterations,
    order: ["appA", "appB"],
    startupTimeoutMs: 30_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "hybrid", spinNs: 50_000 },
  };
}
