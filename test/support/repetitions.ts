// What a benchmark's repetitions must show in its JSON: a spread that is the
// median, least and most of the rounds' values, and a row that is one of its
// rounds (the one whose p50 is the median).
import assert from "node:assert/strict";
import type { Spread } from "../../src/stats/spread.ts";

/** That `figure` is the median, least and most of `values`, an odd count of them. */
export function assertSpreadOf(what: string, figure: Spread | undefined, values: readonly number[]): void {
  assert.equal(values.length % 2, 1, `${what}: an odd count of rounds, so that the median is one of them`);
  const sorted = [...values].sort((a, b) => a - b);
  assert.deepEqual(
    figure,
    { median: sorted[(sorted.length - 1) / 2], min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length },
    what,
  );
}

/**
 * That `row` is one of its `rounds`, the one whose `p50` is the median, and
 * that each of `spreads` (keyed as the row's statistics) is over the rounds.
 */
export function assertRepeated<Key extends string>(
  what: string,
  row: Readonly<Record<Key, number>>,
  rounds: readonly Readonly<Record<Key, number>>[],
  spreads: Readonly<Partial<Record<Key, Spread>>>,
  p50: Key,
): void {
  assert.ok(
    rounds.some((round) => JSON.stringify(round) === JSON.stringify(row)),
    `${what}: the row is one of its rounds`,
  );
  for (const [statistic, figure] of Object.entries(spreads) as [Key, Spread][]) {
    assertSpreadOf(
      `${what}: ${statistic}`,
      figure,
      rounds.map((round) => round[statistic]),
    );
  }
  assert.equal(row[p50], spreads[p50]?.median, `${what}: the row's p50 is the rounds' median`);
}
