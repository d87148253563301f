// The radial basis functions of RBF interpolation, by name: Wendland's
// compactly supported kernels (support radius = `radius`, sparse systems),
// the Gaussian exp(-(d/radius)²) and the thin-plate spline d² log d (global,
// dense systems). The thin-plate spline is only conditionally positive
// definite: it needs the linear polynomial augmentation, which every RBF
// operator here adds anyway.
import { MappingError } from "../mapping-error.ts";
import { wendlandC0, wendlandC2, wendlandC4, wendlandC6 } from "./wendland.ts";

export const KERNEL_NAMES = ["wendland-c0", "wendland-c2", "wendland-c4", "wendland-c6", "gaussian", "tps"] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

export interface RadialKernel {
  readonly name: KernelName;
  /** Index into KERNEL_NAMES: a small integer the evaluation switch can dispatch on. */
  readonly kind: number;
  /** Support radius (Wendland), length scale (Gaussian), unused (thin-plate spline). */
  readonly radius: number;
  /** Zero beyond `radius`: the system matrix is sparse. */
  readonly compact: boolean;
  /** Strictly positive definite (Wendland, Gaussian): Cholesky applies to the kernel matrix itself. */
  readonly positiveDefinite: boolean;
}

export function radialKernel(name: KernelName, radius?: number): RadialKernel {
  const kind = KERNEL_NAMES.indexOf(name);
  if (kind < 0) {
    throw new MappingError(`kernel "${name}" is unknown; use one of ${KERNEL_NAMES.join(", ")}`);
  }
  const needsRadius = name !== "tps";
  if (needsRadius && (radius === undefined || !(radius > 0) || !Number.isFinite(radius))) {
    throw new MappingError(
      `kernel ${name} needs a radius (${name === "gaussian" ? "its length scale" : "its support radius"}) > 0 in mesh units, for example a few mesh spacings; got ${radius}`,
    );
  }
  return {
    name,
    kind,
    radius: needsRadius ? (radius as number) : 1,
    compact: name.startsWith("wendland"),
    positiveDefinite: name !== "tps",
  };
}

/** φ(distance) for `kernel`; a switch on a small integer, so hot setup loops stay monomorphic. */
export function evaluateKernel(kernel: RadialKernel, distance: number): number {
  const r = distance / kernel.radius;
  switch (kernel.kind) {
    case 0:
      return wendlandC0(r);
    case 1:
      return wendlandC2(r);
    case 2:
      return wendlandC4(r);
    case 3:
      return wendlandC6(r);
    case 4:
      return Math.exp(-r * r);
    default:
      return distance > 0 ? distance * distance * Math.log(distance) : 0;
  }
}

/**
 * φ(|(x, y, z) − pⱼ|) for the first `count` points pⱼ of `xyz` (x, y, z
 * triples), into out[offset ..]. The kernel is chosen once per row rather than
 * once per entry. Wendland C2 (the default of rbf-pu) and the Gaussian have
 * loops of their own: r = distance / radius is a multiplication there, and the
 * Gaussian needs no square root; the other kernels go through evaluateKernel.
 */
export function evaluateKernelRow(
  kernel: RadialKernel,
  x: number,
  y: number,
  z: number,
  xyz: Float64Array,
  count: number,
  out: Float64Array,
  offset: number,
): void {
  const inverse = 1 / kernel.radius;
  switch (kernel.kind) {
    case 1:
      for (let j = 0; j < count; j++) {
        const dx = x - (xyz[3 * j] as number);
        const dy = y - (xyz[3 * j + 1] as number);
        const dz = z - (xyz[3 * j + 2] as number);
        out[offset + j] = wendlandC2(Math.sqrt(dx * dx + dy * dy + dz * dz) * inverse);
      }
      return;
    case 4: {
      const scale = inverse * inverse;
      for (let j = 0; j < count; j++) {
        const dx = x - (xyz[3 * j] as number);
        const dy = y - (xyz[3 * j + 1] as number);
        const dz = z - (xyz[3 * j + 2] as number);
        out[offset + j] = Math.exp(-(dx * dx + dy * dy + dz * dz) * scale);
      }
      return;
    }
    default:
      for (let j = 0; j < count; j++) {
        const dx = x - (xyz[3 * j] as number);
        const dy = y - (xyz[3 * j + 1] as number);
        const dz = z - (xyz[3 * j + 2] as number);
        out[offset + j] = evaluateKernel(kernel, Math.sqrt(dx * dx + dy * dy + dz * dz));
      }
  }
}
