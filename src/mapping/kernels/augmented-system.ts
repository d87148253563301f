// mapping/kernels/ owns radial kernels, kernel matrices and the augmented RBF systems built from them.
// It must not know transfer operators (operators/ builds on these) nor mapping's public surface.

// The RBF interpolation system with linear polynomial augmentation:
//
//   [ Φ  P ] [ α ]   [ u ]      Φᵢⱼ = φ(|xᵢ − xⱼ|),  P = [1, x, y, z] at the points,
//   [ Pᵀ 0 ] [ β ] = [ m ]      consistent interpolation has m = 0.
//
// The polynomial makes the interpolant reproduce linear fields exactly, and
// makes the thin-plate spline well posed. Two factorizations implement it
// (schur-system.ts for positive definite kernels, sparse or dense;
// null-space-system.ts for the thin-plate spline), behind this interface.
// Polynomials are written in a frame centred on the points and scaled by their
// extent, so that P is well conditioned whatever the mesh's units.

export interface AugmentedSystem {
  readonly pointCount: number;
  /** Columns of P: 1 + dimension. */
  readonly termCount: number;
  readonly byteLength: number;
  /** Solves for (α, β) given (u, m); inputs are not modified; allocates nothing. */
  solve(values: Float64Array, moments: Float64Array, coefficients: Float64Array, polynomial: Float64Array): void;
}

/** Maps x, y, z to the linear basis 1, (x − cx)/s, (y − cy)/s, (z − cz)/s of the first `dimension` axes. */
export class PolynomialFrame {
  readonly termCount: number;

  constructor(
    readonly dimension: number,
    readonly centerX: number,
    readonly centerY: number,
    readonly centerZ: number,
    readonly scale: number,
  ) {
    this.termCount = 1 + dimension;
  }

  /** The frame of a point cloud given as x, y, z triples: its centroid and half its largest extent. */
  static around(xyz: Float64Array, count: number, dimension: number): PolynomialFrame {
    const center = [0, 0, 0];
    const low = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    const high = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let point = 0; point < count; point++) {
      for (let axis = 0; axis < 3; axis++) {
        const value = xyz[3 * point + axis] as number;
        center[axis] = (center[axis] as number) + value;
        low[axis] = Math.min(low[axis] as number, value);
        high[axis] = Math.max(high[axis] as number, value);
      }
    }
    let extent = 0;
    for (let axis = 0; axis < 3; axis++) extent = Math.max(extent, (high[axis] as number) - (low[axis] as number));
    const [cx = 0, cy = 0, cz = 0] = center.map((sum) => sum / count);
    return new PolynomialFrame(dimension, cx, cy, cz, extent > 0 ? extent / 2 : 1);
  }

  /** Basis values at (x, y, z) into out[offset .. offset + termCount). */
  evaluate(x: number, y: number, z: number, out: Float64Array, offset: number): void {
    const inverse = 1 / this.scale;
    out[offset] = 1;
    out[offset + 1] = (x - this.centerX) * inverse;
    if (this.dimension > 1) out[offset + 2] = (y - this.centerY) * inverse;
    if (this.dimension > 2) out[offset + 3] = (z - this.centerZ) * inverse;
  }

  /** The basis at every point, row-major (count × termCount). */
  evaluateAll(xyz: Float64Array, count: number): Float64Array {
    const out = new Float64Array(count * this.termCount);
    for (let point = 0; point < count; point++) {
      this.evaluate(
        xyz[3 * point] as number,
        xyz[3 * point + 1] as number,
        xyz[3 * point + 2] as number,
        out,
        point * this.termCount,
      );
    }
    return out;
  }
}
