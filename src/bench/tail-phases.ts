// Where the slowest windows of a run spent their extra time: for each window
// above the run's p99, the phase of the window (a component's step, a
// transfer) that ran longest over its own median. A step is the time from the
// driver's go to the component's done, so a step that stands out means the
// component (or its wake-up) was late, where a transfer means the driver was.

/** Per phase, the windows from `first` on above `threshold` in which that phase exceeded its median the most. */
export function tailPhases(
  windowSamples: Float64Array,
  threshold: number,
  phases: ReadonlyMap<string, Float64Array>,
  first: number,
): Record<string, number> {
  const medians = new Map<string, number>();
  for (const [phase, samples] of phases) {
    const sorted = Float64Array.from(samples.subarray(first)).sort();
    medians.set(phase, sorted[Math.floor(sorted.length / 2)] ?? 0);
  }
  const counts: Record<string, number> = {};
  for (const phase of phases.keys()) counts[phase] = 0;
  for (let window = first; window < windowSamples.length; window++) {
    if ((windowSamples[window] as number) <= threshold) continue;
    let longest: string | undefined;
    let excess = Number.NEGATIVE_INFINITY;
    for (const [phase, samples] of phases) {
      const over = (samples[window] as number) - (medians.get(phase) as number);
      if (over > excess) {
        excess = over;
        longest = phase;
      }
    }
    if (longest !== undefined) counts[longest] = (counts[longest] as number) + 1;
  }
  return counts;
}
