// Measures what a piece of the driver's hot path allocates on the JavaScript
// heap (not a test file itself), as test/mapping/apply-allocation.ts does for
// operators: the garbage collector is exposed so each round starts from a
// collected heap, and the measure is the least growth over several rounds
// divided by the calls, so one boxed number per call stands out above V8's
// allocation-buffer steps.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

const ROUNDS = 8;

/** Heap bytes gained per call of `call` over `calls` calls, after `warmup` calls. */
export async function heapGrowthPerCall(call: () => void, calls: number, warmup = 500): Promise<number> {
  for (let index = 0; index < warmup; index++) call();
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS && least >= calls; round++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let index = 0; index < calls; index++) call();
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return least / calls;
}
