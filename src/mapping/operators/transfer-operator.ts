// The contract every transfer operator keeps: everything that depends on the
// meshes is computed once, in setup; apply maps one field (one value per
// source point) onto the target points, every coupling iteration, into a
// buffer the caller owns, and allocates nothing.
//
// Directions. A consistent operator interpolates: target value = weighted
// values of nearby source points, and its weights reproduce constants, so a
// constant field stays constant. A conservative operator distributes: each
// source value is split among target points, so the sum over the target equals
// the sum over the source. The conservative operator from mesh S to mesh T is
// the transpose of the consistent operator from T to S (as in preCICE): the
// consistent T→S weights of one S point sum to 1, hence S's values are handed
// out entirely.

export type TransferMethod = "nearest" | "mls" | "rbf" | "rbf-pu";

export interface TransferOperator {
  readonly method: TransferMethod;
  readonly conservative: boolean;
  readonly sourceCount: number;
  readonly targetCount: number;
  /** Bytes held by the operator's arrays (weights, indices, factors, scratch). */
  readonly byteLength: number;
  /** target[i] for every target point, from source[j] for every source point; allocates nothing. */
  apply(source: Float64Array, target: Float64Array): void;
}

/** The one check apply makes: buffers of the wrong size are a programming error, caught before any write. */
export function checkApplyBuffers(operator: TransferOperator, source: Float64Array, target: Float64Array): void {
  if (source.length !== operator.sourceCount || target.length !== operator.targetCount) {
    throw new RangeError(
      `apply needs a source field of ${operator.sourceCount} values and a target buffer of ${operator.targetCount}; got ${source.length} and ${target.length}`,
    );
  }
}
