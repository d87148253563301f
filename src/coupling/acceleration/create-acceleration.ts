// The acceleration a plan asks for, built with its settings (defaults are the
// runner's, from the composition). `threads` (default 1) is how many threads
// a quasi-Newton method's column products may use on a large vector; the
// results do not depend on it.
import type { AccelerationPlan } from "../plan.ts";
import type { Acceleration } from "./acceleration.ts";
import { AitkenRelaxation } from "./aitken.ts";
import { ConstantRelaxation } from "./constant-relaxation.ts";
import { IqnIls } from "./iqn-ils.ts";
import { IqnImvj } from "./iqn-imvj.ts";
import { Preconditioner } from "./preconditioner.ts";

export function createAcceleration(plan: AccelerationPlan, threads = 1): Acceleration {
  const preconditioner = new Preconditioner(plan.preconditioner, plan.scaling);
  const settings = {
    initialRelaxation: plan.relaxation,
    maxColumns: plan.maxColumns,
    windowsReused: plan.windowsReused,
    filter: plan.filter,
    filterLimit: plan.filterLimit,
    preconditioner,
    threads,
  };
  switch (plan.method) {
    case "constant":
      return new ConstantRelaxation(plan.relaxation);
    case "aitken":
      return new AitkenRelaxation(plan.relaxation, preconditioner);
    case "iqn-ils":
      return new IqnIls(settings);
    case "iqn-imvj":
      return new IqnImvj(settings, plan.restart);
  }
}
