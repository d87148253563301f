// Monomial bases of degree 1 (1, x, y, z) and 2 (adds xx, xy, xz, yy, yz, zz)
// in 1 to 3 dimensions, evaluated at coordinates the caller has already
// shifted and scaled to the neighbourhood, where monomials are well conditioned.

export type PolynomialDegree = 1 | 2;

export function polynomialTermCount(dimension: number, degree: PolynomialDegree): number {
  return degree === 1 ? 1 + dimension : 1 + dimension + (dimension * (dimension + 1)) / 2;
}

/** Writes the basis at (u, v, w) (unused axes ignored) into `out` from `offset`. */
export function evaluatePolynomialBasis(
  dimension: number,
  degree: PolynomialDegree,
  u: number,
  v: number,
  w: number,
  out: Float64Array,
  offset = 0,
): void {
  out[offset] = 1;
  out[offset + 1] = u;
  if (dimension === 1) {
    if (degree === 2) out[offset + 2] = u * u;
    return;
  }
  out[offset + 2] = v;
  if (dimension === 2) {
    if (degree === 2) {
      out[offset + 3] = u * u;
      out[offset + 4] = u * v;
      out[offset + 5] = v * v;
    }
    return;
  }
  out[offset + 3] = w;
  if (degree === 2) {
    out[offset + 4] = u * u;
    out[offset + 5] = u * v;
    out[offset + 6] = u * w;
    out[offset + 7] = v * v;
    out[offset + 8] = v * w;
    out[offset + 9] = w * w;
  }
}
