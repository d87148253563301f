// Measures what a transfer operator's apply allocates on the JavaScript heap
// (not a test file itself). The garbage collector is exposed at run time so
// that each measurement starts from a collected heap; the least growth over
// five rounds filters out the collector's and the compiler's own bookkeeping.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { TransferOperator } from "../../src/mapping/transfer-operator.ts";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Heap bytes gained over `calls` applies after warming up (least of five rounds). */
export function heapGrowthOverApplies(operator: TransferOperator, calls = 1000): number {
  const source = new Float64Array(operator.sourceCount).fill(1);
  const target = new Float64Array(operator.targetCount);
  // Long enough for the JIT to settle: compiling allocates on the heap too.
  for (let call = 0; call < 2000; call++) operator.apply(source, target);
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let call = 0; call < calls; call++) operator.apply(source, target);
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return least;
}
