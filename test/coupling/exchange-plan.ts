// A plan of two C components in processes that exchange one field each way on
// a mesh of their own ("surface", fields "out" and "in"): the first's out goes
// to the second's in and back, nearest neighbour, in the given order. The
// hostile-component and kill tests run their fixtures (test/coupling/fixtures,
// test/clients/fixtures) through it.
import type { ComponentPlan, CouplingPlan } from "../../src/coupling/plan.ts";

export const EXCHANGE_FIELDS = ["out", "in"];

/** The mesh every component of such a plan shares: `count` points in 3-D, fields out and in. */
export function exchangeMesh(count: number): ComponentPlan["meshes"] {
  return { surface: { dimension: 3, count, layout: "soa", fields: EXCHANGE_FIELDS } };
}

export function exchangePlan(
  first: ComponentPlan,
  second: ComponentPlan,
  loop: Pick<CouplingPlan, "iterations" | "startupTimeoutMs" | "stepTimeoutMs" | "wait">,
): CouplingPlan {
  const out = (component: string) => ({ component, mesh: "surface", field: "out" });
  const into = (component: string) => ({ component, mesh: "surface", field: "in" });
  return {
    components: [first, second],
    transfers: [
      { from: out(first.name), to: into(second.name), operator: {} },
      { from: out(second.name), to: into(first.name), operator: {} },
    ],
    order: [first.name, second.name],
    ...loop,
  };
}
