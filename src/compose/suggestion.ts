// "Did you mean …": the allowed word closest to a misspelt one, when it is close
// enough that the guess is more likely right than noise.
import { distance } from "fastest-levenshtein";

/** Whether `a` becomes `b` by swapping two neighbouring letters ("nmae" → "name"), the commonest slip. */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const differ: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ.push(i);
  const [first, second] = differ;
  return (
    differ.length === 2 &&
    first !== undefined &&
    second === first + 1 &&
    a[first] === b[second] &&
    a[second] === b[first]
  );
}

export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tied = false;
  for (const candidate of new Set(allowed)) {
    // Case slips ("Process", "appa") count as the smallest possible mistake.
    const d =
      candidate.toLowerCase() === word.toLowerCase()
        ? 0.5
        : isTransposition(word, candidate)
          ? 1
          : distance(word, candidate);
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
