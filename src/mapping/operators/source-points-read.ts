// Which source points an operator reads when it applies: the columns of its
// matrix. A caller that moves source values across a network sends only these
// (docs/cluster.md); everything else an apply never touches. Computed once, at
// setup, from what the operator already holds.
import { NearestNeighbourOperator } from "./nearest-neighbour.ts";
import { SparseTransferOperator } from "./sparse-operator.ts";
import type { TransferOperator } from "./transfer-operator.ts";

/** The source points `operator` reads, ascending and each once; undefined when it reads every one (dense operators). */
export function sourcePointsRead(operator: TransferOperator): Int32Array | undefined {
  if (operator instanceof NearestNeighbourOperator) {
    // Conservative: every source value is handed to its partner, so every one is read.
    return operator.conservative ? undefined : ascendingUnique(operator.partners, operator.sourceCount);
  }
  if (operator instanceof SparseTransferOperator) return ascendingUnique(operator.matrix.columns, operator.sourceCount);
  return undefined;
}

function ascendingUnique(indices: Int32Array, count: number): Int32Array | undefined {
  const seen = new Uint8Array(count);
  let distinct = 0;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (seen[index] === 0) {
      seen[index] = 1;
      distinct++;
    }
  }
  if (distinct === count) return undefined;
  const read = new Int32Array(distinct);
  let at = 0;
  for (let index = 0; index < count; index++) if (seen[index] === 1) read[at++] = index;
  return read;
}
