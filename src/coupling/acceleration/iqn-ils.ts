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
    const rows = this.size;
    const w = this.history.w;
    step.fill(0);
    for (let column = 0; column < qr.cols; column++) {
      const factor = -(c[column] as number);
      const base = column * rows;
      for (let row = 0; row < rows; row++) step[row] = (step[row] as number) + factor * (w[base + row] as number);
    }
  }
}
