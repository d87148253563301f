// The kill test's cases and plan (kill-anything.test.ts, fixtures/killable-driver.ts):
// seeded, so a failing case can be run again; two C components that start
// slowly and linger after their bye, so that every phase lasts long enough to
// be hit; and how to find a driver's component processes from outside it.
import { readdirSync, readFileSync } from "node:fs";
import type { ComponentPlan, CouplingPlan } from "../../src/coupling/plan.ts";
import { COMPONENT_NAME_VARIABLE } from "../../src/wire/environment.ts";
import { seededRandom } from "../support/seeded-random.ts";
import { exchangeMesh, exchangePlan } from "./exchange-plan.ts";

export const PHASES = ["startup", "handshake", "loop", "shutdown"] as const;
export type Phase = (typeof PHASES)[number];
export const VICTIMS = ["appA", "appB", "driver"] as const;
export type Victim = (typeof VICTIMS)[number];

export interface KillCase {
  index: number;
  victim: Victim;
  phase: Phase;
  /** For phase loop: the kill comes once this many iterations are complete. */
  iteration: number;
  /** How long each component sleeps before it joins the run (only startup cases wait). */
  delayMs: Record<"appA" | "appB", number>;
  /** How long each component stays after its bye (only shutdown cases wait). */
  lingerMs: Record<"appA" | "appB", number>;
}

export const ITERATIONS = 40;
/** How long a component stays after its bye in a shutdown case: the phase's length. */
const LINGER_MS = 200;

/** `count` cases, every victim and phase in turn, the rest drawn from `seed`. */
export function killCases(count: number, seed: number): KillCase[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const phase = PHASES[Math.floor(index / VICTIMS.length) % PHASES.length] as Phase;
    const delay = () => (phase === "startup" ? 40 + Math.floor(next() * 80) : 0);
    const linger = phase === "shutdown" ? LINGER_MS : 0;
    return {
      index,
      victim: VICTIMS[index % VICTIMS.length] as Victim,
      phase,
      iteration: 1 + Math.floor(next() * (ITERATIONS - 1)),
      delayMs: { appA: delay(), appB: delay() },
      lingerMs: { appA: linger, appB: linger },
    };
  });
}

export function killPlan(binary: string, kase: KillCase): CouplingPlan {
  const component = (name: "appA" | "appB"): ComponentPlan => ({
    name,
    kind: "process",
    launch: {
      command: [binary],
      args: { points: 64, linger_ms: kase.lingerMs[name] },
      env: { KILL_TARGET_DELAY_MS: String(kase.delayMs[name]) },
    },
    meshes: exchangeMesh(64),
  });
  return exchangePlan(component("appA"), component("appB"), {
    iterations: ITERATIONS,
    startupTimeoutMs: 20_000,
    stepTimeoutMs: 10_000,
    wait: { kind: "hybrid", spinNs: 50_000 },
  });
}

/** The children of `pid` (its threads' too) that run the component `name`, by their environment. */
export function componentChild(pid: number, name: string): number | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const task of tasks) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
    } catch {
      continue;
    }
    for (const child of children.trim().split(" ").filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${child}/environ`, "utf8").split("\0").includes(`${COMPONENT_NAME_VARIABLE}=${name}`))
          return child;
      } catch {
        // it ended while we looked
      }
    }
  }
  return undefined;
}
