// A component as the driver holds it during a run: its plan, its enclave, the
// link to it, and the name its step is timed under.
import type { Enclave } from "../enclave/enclave.ts";
import type { ComponentLink } from "./component-link.ts";
import type { ComponentPlan } from "./plan.ts";

export interface Participant {
  plan: ComponentPlan;
  enclave: Enclave;
  link: ComponentLink;
  stepPhase: string;
}

/** Where the run is, for the error that ends it: kept up to date by the loops, read when something fails. */
export interface RunProgress {
  /** Runs in time: the window, −1 outside one. */
  window: number;
  /** The iteration (of an iteration run), or the attempt within the window; −1 outside the loop. */
  iteration: number;
  phase: string;
  /** Iterations, or windows of a run in time, completed. */
  completed: number;
}
