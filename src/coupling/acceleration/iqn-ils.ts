// IQN-ILS, the interface quasi-Newton method with an inverse Jacobian from a
// least-squares model (Degroote et al. 2009): the step is x_{k+1} = x̃_k + W c
// with c minimising ‖V c + r_k‖ in the preconditioner's weights, so that
// c = −R⁻¹ Qᵀ P r from the factorisation of P V.
import { QuasiNewtonAcceleration } from "./quasi-newton.ts";

export class IqnIls extends QuasiNewtonAcceleration {
  readonly name = "iqn-ils";

  protected computeStep(step: Float64Array): void {
    const qr = this.qr;
    const c = this.coefficients;
    qr.solve(this.scaled, c);
    // step = W (−c)
    step.fill(0);
    this.algebra.addColumns(this.history.w, 0, qr.cols, c, true, false, step, 0);
  }
}
