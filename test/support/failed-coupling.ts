// Runs a coupling that is meant to fail and checks what every failure must
// leave: a CouplingFailure, and no segment of the run behind.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { CouplingFailure } from "../../src/coupling/coupling-failure.ts";
import { runCoupling } from "../../src/coupling/driver.ts";
import type { CouplingPlan } from "../../src/coupling/plan.ts";
import { setupNearestNeighbour } from "../../src/mapping/operators/nearest-neighbour.ts";
import { runDirectoryPath } from "../../src/shm/run-directory.ts";

export interface FailedCoupling {
  error: CouplingFailure;
  /** The run's id as the failure carries it ("" when it carries none). */
  runId: string;
  /** Iterations whose results were handed over before the failure (−1: none were). */
  collected: number;
}

/** Runs `plan` with nearest-neighbour mappings and no output, and returns how it failed. */
export async function failedCoupling(plan: CouplingPlan): Promise<FailedCoupling> {
  let collected = -1;
  let caught: unknown;
  try {
    await runCoupling(plan, {
      buildOperator: (source, target) => setupNearestNeighbour(source, target),
      output: null,
      collect: (_meshes, iterations) => {
        collected = iterations;
      },
    });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CouplingFailure, `expected a CouplingFailure, got ${String(caught)}`);
  const runId = (caught as { partial?: { runId?: string } }).partial?.runId ?? "";
  assert.equal(existsSync(runDirectoryPath(runId)), false, "the run's segments were removed");
  return { error: caught, runId, collected };
}
