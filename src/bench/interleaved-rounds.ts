// The repetitions of a benchmark that compares cases: every case is measured
// once in each round, in the same order within every round (A B C, A B C, …),
// so that drift on the machine falls on every case alike rather than on
// whichever ran last. A case is then shown by its median round (the one whose
// p50 is the median), with the spread of each statistic over the rounds
// beside it, and a ratio is only taken between the medians of one run.
import type { Distribution } from "../stats/distribution.ts";
import { medianIndex, type Spread, spread } from "../stats/spread.ts";
import { formatMicroseconds } from "../stats/table.ts";
import { type MachineDuring, MachineLoad } from "./machine-load.ts";

export interface InterleavedRuns<Result> {
  /** Per case, in the order the cases were given: its result in each round, in round order. */
  runs: Result[][];
  machine: MachineDuring;
}

/**
 * Measures every case once per round for `repeat` rounds; `progress` hears
 * which case of which round is about to run, and the machine's load is
 * sampled after every measurement.
 */
export async function runInterleavedRounds<Case, Result>(
  cases: readonly Case[],
  repeat: number,
  measure: (item: Case) => Promise<Result>,
  progress: (item: Case, round: string) => void = () => {},
): Promise<InterleavedRuns<Result>> {
  const machine = new MachineLoad();
  const runs = cases.map((): Result[] => []);
  for (let round = 1; round <= repeat; round++) {
    for (const [index, item] of cases.entries()) {
      progress(item, `repetition ${round} of ${repeat}`);
      runs[index]?.push(await measure(item));
      machine.sample();
    }
  }
  return { runs, machine: machine.during() };
}

/** The statistics of a distribution whose spread over the rounds is reported. */
export const SPREAD_STATISTICS = ["mean", "sd", "p50", "p99", "max"] as const;
export type SpreadStatistic = (typeof SPREAD_STATISTICS)[number];

export interface RepeatedDistribution {
  /** The round whose p50 is the median: what the row shows. */
  median: Distribution;
  /** Its index among the rounds. */
  medianRound: number;
  /** Every round's, in round order. */
  rounds: Distribution[];
  spread: Record<SpreadStatistic, Spread>;
}

export function repeatedDistribution(rounds: readonly Distribution[]): RepeatedDistribution {
  const medianRound = medianIndex(rounds.map((round) => round.p50));
  return {
    median: rounds[medianRound] as Distribution,
    medianRound,
    rounds: [...rounds],
    spread: Object.fromEntries(
      SPREAD_STATISTICS.map((statistic) => [statistic, spread(rounds.map((round) => round[statistic]))]),
    ) as Record<SpreadStatistic, Spread>,
  };
}

/** The JSON of a spread: a copy, so that the report never shares an object with the measurement. */
export function spreadJson(figure: Spread): Spread {
  return { median: figure.median, min: figure.min, max: figure.max, n: figure.n };
}

/** A repeated distribution's spreads as JSON, each keyed as the distribution's own field is (`p50` → `p50_us`). */
export function repeatedSpreadJson(repeated: RepeatedDistribution, unit: "us" | "ms"): Record<string, Spread> {
  return Object.fromEntries(
    SPREAD_STATISTICS.map((statistic) => [`${statistic}_${unit}`, spreadJson(repeated.spread[statistic])]),
  );
}

/** "median [min–max]" (µs unless `format` says otherwise), as every bench prints a figure of its repetitions. */
export function withSpread(figure: Spread, format: (value: number) => string = formatMicroseconds): string {
  return figure.n > 1
    ? `${format(figure.median)} [${format(figure.min)}–${format(figure.max)}]`
    : format(figure.median);
}
