// What a failed pair of preCICE participants is reported as: the one that failed first (the other was then
// ended with SIGKILL, and its end says nothing), with its exit and the last lines it printed, MPI's own abort
// lines ("[host:pid] …", "*** …") left out since they say nothing the lines before them do not.
import type { Finished } from "./precice-heat.ts";

/** Throws for the first participant of `pair` (name, how it finished) that exited other than 0. */
export function throwIfPairFailed(pair: readonly (readonly [string, Finished | undefined])[], lines: number): void {
  const failedFirst = pair.filter(([, finished]) => finished?.signal !== "SIGKILL");
  for (const [name, finished] of [...failedFirst, ...pair]) {
    if (finished?.code === 0) continue;
    const tail = (finished?.output ?? "")
      .trim()
      .split("\n")
      .filter((line) => !line.includes("[vm:") && !line.startsWith("***"))
      .slice(-lines)
      .join(" | ")
      .slice(0, 600);
    throw new Error(`preCICE participant ${name} exited ${finished?.code ?? finished?.signal}: ${tail}`);
  }
}
