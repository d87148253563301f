// Measures what a transfer operator's apply allocates on the JavaScript heap
// (not a test file itself). The garbage collector is exposed at run time so
// that each measurement starts from a collected heap. V8 reports heap use in
// steps of its allocation buffers (tens of kB), so the measure is the growth
// over many calls divided by their number: anything apply allocated per call,
// even one boxed number (16 bytes), stands out above that step.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { TransferOperator } from "../../src/mapping/operators/transfer-operator.ts";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Rounds at most: on a loaded machine a background compilation can land in any one of them. */
const ROUNDS = 8;

/**
 * Heap bytes gained per apply over `calls` applies after warming up: the least
 * of several rounds, since what apply allocates shows in every round and a
 * compilation finishing in the background only in some. Stops early once a
 * round shows under a byte per call.
 */
export async function heapGrowthPerApply(operator: TransferOperator, calls = 20_000): Promise<number> {
  const source = new Float64Array(operator.sourceCount).fill(1);
  const target = new Float64Array(operator.targetCount);
  // Long enough for the JIT to settle: compiling allocates on the heap too.
  for (let call = 0; call < 2000; call++) operator.apply(source, target);
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS && least >= calls; round++) {
    // Let background compilations of earlier code finish: they allocate on this heap when they do.
    await new Promise((resolve) => setTimeout(resolve, 20));
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let call = 0; call < calls; call++) operator.apply(source, target);
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return least / calls;
}
