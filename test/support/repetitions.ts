// What a benchmark's repetitions must show in its JSON: a spread that is the
// median, least and most of the rounds' values, and a row that is one of its
// rounds (the one whose p50 is the median).
import assert from "node:assert/strict";
import type { Spread } from "../../src/stats/spread.ts";

/** That `figure` is the median, least and most of `values`, an odd count of them. */
export function assertSpreadOf(what: string, figure: Spread, values: readonly number[]): void {
  assert.equal(values.length % 2, 1, `${what}: an odd count of rounds, so that the median is one of them`);
  const sorted = [...values].sort((a, b) => a - b);
  assert.deepEqual(
    figure,
    { median: sorted[(sorted.length - 1) / 2], min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length },
    what,
  );
}

/** That the row's distribution is one of its rounds', the one whose p50 is the median. */
export function assertMedianRound<Distribution extends { p50_us: number } | { p50_ms: number }>(
  what: string,
  row: Distribution,
  rounds: readonly Distribution[],
  medianP50: number,
): void {
  assert.ok(
    rounds.some((round) => JSON.stringify(round) === JSON.stringify(row)),
    `${what}: the row is one of its rounds`,
  );
  assert.equal("p50_us" in row ? row.p50_us : row.p50_ms, medianP50, `${what}: the row's p50 is the rounds' median`);
}
