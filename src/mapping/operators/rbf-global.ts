// Global RBF interpolation with linear polynomial augmentation: one system
// over all source points, solved in setup (factorized), and in apply
//
//   consistent   S → T:  (α, β) = A⁻¹ (f, 0),   t = E α + P_T β
//   conservative S → T:  t = first block of A_T⁻¹ (Eᵀ g, P_Sᵀ g)
//
// where the conservative form is the transpose of the consistent T → S
// operator (system on the target points, E evaluated at the source points).
// Compact Wendland kernels give a sparse system and sparse E; the Gaussian and
// the thin-plate spline are dense, O(n³) to set up and O(n²) to apply, and are
// refused beyond 5,000 points (use rbf-pu there).
import { totalByteLength } from "../array-memory.ts";
import { type AugmentedSystem, PolynomialFrame } from "../kernels/augmented-system.ts";
import { type KernelEvaluation, kernelEvaluation } from "../kernels/kernel-evaluation.ts";
import { factorNullSpaceSystem } from "../kernels/null-space-system.ts";
import { type KernelName, radialKernel } from "../kernels/radial-kernel.ts";
import { factorSchurSystem } from "../kernels/schur-system.ts";
import { KdTree } from "../spatial/kd-tree.ts";
import { type PointSet, validateTransferMeshes, xyzCoordinates } from "../spatial/point-set.ts";
import { checkThreads } from "./operator-threads.ts";
import { checkApplyBuffers, type TransferOperator } from "./transfer-operator.ts";

export interface RbfOptions {
  kernel?: KernelName;
  /** Support radius (Wendland) or length scale (Gaussian), in mesh units. */
  radius?: number;
  conservative?: boolean;
  /** Threads of the factorization, the caller's included (default 1). */
  threads?: number;
}

export class GlobalRbfOperator implements TransferOperator {
  readonly method = "rbf";
  private readonly zeroMoments: Float64Array;
  private readonly coefficients: Float64Array;
  private readonly polynomial: Float64Array;
  private readonly moments: Float64Array;

  constructor(
    readonly conservative: boolean,
    readonly sourceCount: number,
    readonly targetCount: number,
    private readonly system: AugmentedSystem,
    private readonly evaluation: KernelEvaluation,
    /** Polynomial basis at the evaluation points (E's rows), row-major. */
    private readonly evaluationPolynomial: Float64Array,
  ) {
    const q = system.termCount;
    this.zeroMoments = new Float64Array(q);
    this.coefficients = new Float64Array(system.pointCount);
    this.polynomial = new Float64Array(q);
    this.moments = new Float64Array(q);
  }

  get byteLength(): number {
    return totalByteLength(this.system, this.evaluation, this.evaluationPolynomial, this.coefficients);
  }

  apply(source: Float64Array, target: Float64Array): void {
    checkApplyBuffers(this, source, target);
    const q = this.system.termCount;
    const basis = this.evaluationPolynomial;
    const beta = this.polynomial;
    if (!this.conservative) {
      this.system.solve(source, this.zeroMoments, this.coefficients, beta);
      this.evaluation.multiply(this.coefficients, target);
      for (let point = 0; point < this.targetCount; point++) {
        let sum = target[point] as number;
        for (let a = 0; a < q; a++) sum += (basis[point * q + a] as number) * (beta[a] as number);
        target[point] = sum;
      }
      return;
    }
    const u = this.coefficients;
    this.evaluation.multiplyTransposed(source, u);
    const moments = this.moments;
    moments.fill(0);
    for (let point = 0; point < this.sourceCount; point++) {
      const value = source[point] as number;
      for (let a = 0; a < q; a++) moments[a] = (moments[a] as number) + (basis[point * q + a] as number) * value;
    }
    this.system.solve(u, moments, target, beta);
  }
}

export function setupGlobalRbf(source: PointSet, target: PointSet, options: RbfOptions = {}): GlobalRbfOperator {
  validateTransferMeshes(source, target);
  const kernel = radialKernel(options.kernel ?? "wendland-c2", options.radius);
  const conservative = options.conservative === true;
  const threads = checkThreads(options.threads);
  // The system lives on the points that provide values in the consistent direction.
  const [systemPoints, evaluationPoints] = conservative ? [target, source] : [source, target];
  const label = conservative ? "rbf (conservative: system on the target mesh)" : "rbf (system on the source mesh)";
  const systemXyz = xyzCoordinates(systemPoints);
  const evaluationXyz = xyzCoordinates(evaluationPoints);
  const n = systemPoints.count;
  const frame = PolynomialFrame.around(systemXyz, n, systemPoints.dimension);
  const tree = KdTree.build(systemPoints);
  const system = kernel.positiveDefinite
    ? factorSchurSystem(systemXyz, n, kernel, frame, tree, label, threads)
    : factorNullSpaceSystem(systemXyz, n, kernel, frame, label, threads);
  const evaluation = kernelEvaluation(
    kernel,
    evaluationXyz,
    evaluationPoints.count,
    systemXyz,
    n,
    tree,
    label,
    threads,
  );
  const evaluationPolynomial = frame.evaluateAll(evaluationXyz, evaluationPoints.count);
  return new GlobalRbfOperator(conservative, source.count, target.count, system, evaluation, evaluationPolynomial);
}
