// A component as the driver holds it during a run: its plan, its enclave, the
// link to it, and the name its step is timed under; where the run is; and the
// checks the loops make on what components can damage.
import type { Enclave } from "../enclave/enclave.ts";
import type { CouplingLink } from "./coupling-link.ts";
import type { ComponentPlan } from "./plan.ts";

export interface Participant {
  plan: ComponentPlan;
  enclave: Enclave;
  link: CouplingLink;
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

/** A transfer as the loops see it: a field of one mesh mapped onto another's, both views over shared memory. */
export interface GuardedTransfer {
  from: { component: string; mesh: string; field: string };
  source: Float64Array;
}

/** The driver's checks of what a component can damage, called by the loops where the damage would first show. */
export interface RunGuard {
  /** Throws the failure of a segment of the run found truncated (by its SIGBUS mark or its file's size). */
  truncation(iteration: number, phase: string): void;
  /** The failure for the NaN or ±Infinity at `point` of the field `transfer` carries, naming who wrote it. */
  nonFinite(transfer: GuardedTransfer, point: number, iteration: number, phase: string): Error;
  /** After every iteration: throws the failure of a component that runs free (reads snapshots) and has ended. */
  freeRunning?(iteration: number): void;
}
