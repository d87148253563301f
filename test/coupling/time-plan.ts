// Plans of the driver's time-run tests: components of fixtures/time-app.ts
// coupled in time (a writes x for b, b writes y for a; c, when there, reads x),
// nearest-neighbour transfers on identical meshes, and the plan's time keys.
import { fileURLToPath } from "node:url";
import type { CouplingPlan, TimePlan } from "../../src/coupling/plan.ts";
import type { EnclaveKind } from "../../src/enclave/kind.ts";

const APP = fileURLToPath(new URL("./fixtures/time-app.ts", import.meta.url));

export interface TimeAppOptions {
  kind?: EnclaveKind;
  /** Per role: its step and misbehaviour. */
  args?: Partial<Record<"a" | "b" | "c", Record<string, unknown>>>;
  /** Add component c (reads x, writes z). */
  third?: boolean;
  degree?: number;
  /** Per role: its points per rank, for a component of many ranks (4 in all). */
  ranks?: Partial<Record<"a" | "b" | "c", number[]>>;
}

export function timeAppPlan(time: Partial<TimePlan>, options: TimeAppOptions = {}): CouplingPlan {
  const kind = options.kind ?? "process";
  const mesh = (fields: string[]) => ({ m: { dimension: 1 as const, count: 4, layout: "soa" as const, fields } });
  const component = (name: string, role: "a" | "b" | "c") => {
    const counts = options.ranks?.[role];
    return {
      name,
      kind,
      launch: { module: APP, args: { role, dt: 0.05, ...options.args?.[role], ...(counts ? { counts } : {}) } },
      meshes: mesh(role === "c" ? ["x", "z"] : ["x", "y"]),
      ...(counts ? { ranks: counts.length } : {}),
    };
  };
  const field = (componentName: string, name: string) => ({ component: componentName, mesh: "m", field: name });
  const degree = options.degree ?? 1;
  return {
    components: [component("A", "a"), component("B", "b"), ...(options.third ? [component("C", "c")] : [])],
    transfers: [
      { from: field("A", "x"), to: field("B", "x"), operator: {}, waveformDegree: degree },
      { from: field("B", "y"), to: field("A", "y"), operator: {}, waveformDegree: degree },
      ...(options.third ? [{ from: field("A", "x"), to: field("C", "x"), operator: {}, waveformDegree: degree }] : []),
    ],
    iterations: 0,
    order: options.third ? ["A", "B", "C"] : ["A", "B"],
    startupTimeoutMs: 30_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "hybrid", spinNs: 50_000 },
    time: {
      scheme: "serial-implicit",
      window: 0.1,
      windows: 4,
      maxSubsteps: 20,
      minIterations: 1,
      maxIterations: 30,
      onMaxIterations: "stop",
      convergence: [
        { field: field("B", "x"), measure: "relative", limit: 1e-12 },
        { field: field("A", "y"), measure: "relative", limit: 1e-12 },
      ],
      acceleration: {
        method: "iqn-ils",
        fields: [field("A", "y")],
        relaxation: 0.5,
        maxColumns: 20,
        windowsReused: 2,
        filter: "qr2",
        filterLimit: 1e-6,
        preconditioner: "residual-sum",
        scaling: [],
        restart: { mode: "rs-svd", chunk: 4, truncation: 1e-4, reusedWindows: 2 },
      },
      ...time,
    },
  };
}

/** The coupled fixed point of a and b at time t: x = 0.5 y + 1 + t, y = −0.8 x + 2. */
export function fixedPoint(t: number): { x: number; y: number } {
  const x = (2 + t) / 1.4;
  return { x, y: -0.8 * x + 2 };
}
