// "Did you mean …": the allowed word closest to a misspelt one, when it is close
// enough that the guess is more likely right than noise.
import { distance } from "fastest-levenshtein";

export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tied = false;
  for (const candidate of new Set(allowed)) {
    // Case slips ("Process", "appa") count as the smallest possible mistake.
    const d = candidate.toLowerCase() === word.toLowerCase() ? 0.5 : distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      tied = false;
    } else if (d === bestDistance) {
      tied = true;
    }
  }
  // Two equally close words ("appC" against appA and appB): a guess would mislead.
  if (best === undefined || tied) return undefined;
  const tolerance = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** `Did you mean "process"?`, or undefined when nothing allowed is close. */
export function didYouMean(word: string, allowed: readonly string[]): string | undefined {
  const guess = closest(word, allowed);
  return guess === undefined ? undefined : `Did you mean "${guess}"?`;
}
