// Wendland's compactly supported radial functions φ(r), r = distance / support
// radius, zero for r ≥ 1, positive definite in up to three dimensions, scaled
// so that φ(0) = 1. Cₖ names the smoothness at the origin (C0, C2, C4, C6);
// the higher, the smoother the interpolant and the worse conditioned the system.

export type WendlandSmoothness = 0 | 2 | 4 | 6;

export function wendlandC0(r: number): number {
  if (r >= 1) return 0;
  const s = 1 - r;
  return s * s;
}

export function wendlandC2(r: number): number {
  if (r >= 1) return 0;
  const s = 1 - r;
  const s2 = s * s;
  return s2 * s2 * (4 * r + 1);
}

export function wendlandC4(r: number): number {
  if (r >= 1) return 0;
  const s = 1 - r;
  const s2 = s * s;
  return s2 * s2 * s2 * ((35 * r * r + 18 * r + 3) / 3);
}

export function wendlandC6(r: number): number {
  if (r >= 1) return 0;
  const s = 1 - r;
  const s2 = s * s;
  const s4 = s2 * s2;
  return s4 * s4 * (((32 * r + 25) * r + 8) * r + 1);
}

const BY_SMOOTHNESS: Record<WendlandSmoothness, (r: number) => number> = {
  0: wendlandC0,
  2: wendlandC2,
  4: wendlandC4,
  6: wendlandC6,
};

/** The Wendland function of `smoothness` at r (hot loops call the functions themselves, through evaluateKernel). */
export function wendland(smoothness: WendlandSmoothness, r: number): number {
  return BY_SMOOTHNESS[smoothness](r);
}
