// The seed demonstration as the driver's tests run it: 3,000 points, and
// timeouts short enough that a failing test fails quickly.
import { seedArgs, seedDemoPlan } from "../../src/bench/seed-plan.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import type { EnclaveKind } from "../../src/enclave/kind.ts";

export const SEED_ARGS = seedArgs(3000);

export function seedPlan(
  kind: EnclaveKind,
  iterations: number,
  modules = { a: "app-a.ts", b: "app-b.ts" },
): CouplingPlan {
  return {
    ...seedDemoPlan({ kind, points: 3000, iterations, modules }),
    startupTimeoutMs: 30_000,
    stepTimeoutMs: 10_000,
  };
}
