// The symmetric kernel matrix Φ[i][j] = φ(|xᵢ − xⱼ|) of one point set, as its
// lower triangle packed by rows: what a dense RBF system factors. The addon's
// kernel fills it across threads; this loop is the same arithmetic where the
// addon is not used.
import { nativeKernels, numericBackend } from "../numeric-backend.ts";
import { evaluateKernel, type RadialKernel } from "./radial-kernel.ts";

/** Fills `out` (count·(count+1)/2 entries) from interleaved x, y, z. */
export function fillPackedKernelMatrix(
  kernel: RadialKernel,
  xyz: Float64Array,
  count: number,
  out: Float64Array,
  threads: number,
): void {
  if (numericBackend() === "native") {
    nativeKernels.kernelMatrix(kernel.kind, kernel.radius, xyz, count, xyz, count, true, out, threads);
    return;
  }
  let offset = 0;
  for (let row = 0; row < count; row++) {
    const x = xyz[3 * row] as number;
    const y = xyz[3 * row + 1] as number;
    const z = xyz[3 * row + 2] as number;
    for (let column = 0; column <= row; column++) {
      const dx = x - (xyz[3 * column] as number);
      const dy = y - (xyz[3 * column + 1] as number);
      const dz = z - (xyz[3 * column + 2] as number);
      out[offset++] = evaluateKernel(kernel, Math.sqrt(dx * dx + dy * dy + dz * dz));
    }
  }
}
