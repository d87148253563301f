// Load imbalance of a component of many ranks, from every rank's step times:
// per step the slowest and the fastest rank, and what `conflux inspect` says
// about them (how much slower the slowest is, which rank is slowest how often).

export interface RankImbalance {
  ranks: number;
  steps: number;
  /** Per step: the slowest rank and its time, the fastest and its time (ns). */
  slowest: number[];
  slowestNs: number[];
  fastest: number[];
  fastestNs: number[];
  /** Mean over the steps of slowest ÷ fastest. */
  meanRatio: number;
  /** The step where slowest ÷ fastest is largest, and that ratio. */
  worstStep: number;
  worstRatio: number;
  /** How many steps each rank was the slowest. */
  slowestCounts: number[];
}

/** From the driver's per-rank step times (steps[rank][step], ns). */
export function rankImbalance(steps: readonly (readonly number[])[]): RankImbalance {
  const ranks = steps.length;
  const count = Math.min(...steps.map((times) => times.length));
  const result: RankImbalance = {
    ranks,
    steps: count,
    slowest: [],
    slowestNs: [],
    fastest: [],
    fastestNs: [],
    meanRatio: 0,
    worstStep: -1,
    worstRatio: 0,
    slowestCounts: new Array<number>(ranks).fill(0),
  };
  let ratioSum = 0;
  for (let step = 0; step < count; step++) {
    let slow = 0;
    let fast = 0;
    for (let rank = 1; rank < ranks; rank++) {
      const time = steps[rank]?.[step] ?? 0;
      if (time > (steps[slow]?.[step] ?? 0)) slow = rank;
      if (time < (steps[fast]?.[step] ?? 0)) fast = rank;
    }
    const slowNs = steps[slow]?.[step] ?? 0;
    const fastNs = steps[fast]?.[step] ?? 0;
    result.slowest.push(slow);
    result.slowestNs.push(slowNs);
    result.fastest.push(fast);
    result.fastestNs.push(fastNs);
    result.slowestCounts[slow] = (result.slowestCounts[slow] ?? 0) + 1;
    const ratio = fastNs > 0 ? slowNs / fastNs : 1;
    ratioSum += ratio;
    if (ratio > result.worstRatio) {
      result.worstRatio = ratio;
      result.worstStep = step;
    }
  }
  result.meanRatio = count === 0 ? 0 : ratioSum / count;
  return result;
}

/** The lines `conflux inspect` prints, one per component of many ranks. */
export function rankImbalanceSummary(imbalance: Readonly<Record<string, RankImbalance>> | undefined): string[] {
  if (imbalance === undefined) return [];
  return Object.entries(imbalance).map(([component, entry]) => {
    const often = entry.slowestCounts
      .map((times, rank) => ({ rank, times }))
      .filter((item) => item.times > 0)
      .sort((a, b) => b.times - a.times)
      .slice(0, 3)
      .map((item) => `rank ${item.rank} ${item.times}×`)
      .join(", ");
    const worst =
      entry.worstStep < 0
        ? ""
        : `; worst step ${entry.worstStep}: rank ${entry.slowest[entry.worstStep]} ${ms(entry.slowestNs[entry.worstStep])} vs rank ${entry.fastest[entry.worstStep]} ${ms(entry.fastestNs[entry.worstStep])}`;
    return `ranks of ${component}: ${entry.ranks} ranks, ${entry.steps} steps; slowest ÷ fastest ${entry.meanRatio.toFixed(2)} on average${worst}; slowest: ${often}`;
  });
}

function ms(ns: number | undefined): string {
  return `${((ns ?? 0) / 1e6).toFixed(3)} ms`;
}
