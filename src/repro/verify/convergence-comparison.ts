// repro/verify/ owns `conflux repro verify`: replay a recorded run, compare its outputs and its environments.
// It must not change the record it verifies: a replay writes a record of its own.

// Comparing a replay's convergence history with the recorded one (runs in
// time): the iterations of every window must be the same, and every residual
// within the tolerance the composition declares for the field as an output —
// absolute a: |‖Δ‖ − ‖Δ‖'| ≤ a; relative r: |‖Δ‖/‖x̃‖ − (‖Δ‖/‖x̃‖)'| ≤ r (the
// relative residuals are already scaled by the field, so they are compared
// absolutely); ulps u: ‖Δ‖ within u units in the last place; without one,
// bitwise.
import type { Tolerance } from "../../compose/schema.ts";
import type { ConvergenceComparison, ResidualEntry, WindowConvergenceEntry } from "../../record/run-record.ts";
import { toleranceRule } from "./output-comparison.ts";

function ulpsBetween(a: number, b: number): number {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.POSITIVE_INFINITY;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const order = (value: bigint) => (value < 0n ? -(2n ** 63n) - value : value);
  const difference = order(bits[0] as bigint) - order(bits[1] as bigint);
  return Number(difference < 0n ? -difference : difference);
}

function residualMatches(recorded: ResidualEntry, replayed: ResidualEntry, tolerance: Tolerance | undefined): boolean {
  if (tolerance?.absolute !== undefined) return Math.abs(recorded.absolute - replayed.absolute) <= tolerance.absolute;
  if (tolerance?.relative !== undefined) return Math.abs(recorded.relative - replayed.relative) <= tolerance.relative;
  if (tolerance?.ulps !== undefined) return ulpsBetween(recorded.absolute, replayed.absolute) <= tolerance.ulps;
  return Object.is(recorded.absolute, replayed.absolute) && Object.is(recorded.relative, replayed.relative);
}

export function compareConvergence(
  recorded: readonly WindowConvergenceEntry[],
  replayed: readonly WindowConvergenceEntry[],
  tolerances: ReadonlyMap<string, Tolerance | undefined>,
): ConvergenceComparison {
  const problems: string[] = [];
  if (recorded.length !== replayed.length) {
    problems.push(`${recorded.length} windows recorded, ${replayed.length} in the replay`);
  }
  let differingWindows = 0;
  let residualsCompared = 0;
  let residualsDiffering = 0;
  const count = Math.min(recorded.length, replayed.length);
  for (let index = 0; index < count; index++) {
    const before = recorded[index] as WindowConvergenceEntry;
    const after = replayed[index] as WindowConvergenceEntry;
    if (before.iterations !== after.iterations || before.converged !== after.converged) {
      differingWindows++;
      if (problems.length < 5) {
        problems.push(
          `window ${before.window}: ${before.iterations} iterations${before.converged ? "" : " (not converged)"} recorded, ${after.iterations}${after.converged ? "" : " (not converged)"} in the replay`,
        );
      }
      continue;
    }
    for (const [field, history] of Object.entries(before.residuals)) {
      const other = after.residuals[field];
      const tolerance = tolerances.get(field);
      history.forEach((residual, iteration) => {
        residualsCompared++;
        const twin = other?.[iteration];
        if (twin !== undefined && residualMatches(residual, twin, tolerance)) return;
        residualsDiffering++;
        if (problems.length < 5) {
          problems.push(
            twin === undefined
              ? `window ${before.window}: no residual of ${field} in iteration ${iteration} in the replay`
              : `window ${before.window}, iteration ${iteration}: ${field} residual ${residual.absolute} (relative ${residual.relative}) recorded, ${twin.absolute} (relative ${twin.relative}) in the replay, beyond ${toleranceRule(tolerance)}`,
          );
        }
      });
    }
  }
  return {
    matches: problems.length === 0,
    windows: recorded.length,
    differingWindows,
    residualsCompared,
    residualsDiffering,
    problems,
  };
}
