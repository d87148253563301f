// The one error a failed run ends with: which component, in which enclave,
// which process, how it ended, in which iteration and phase.
import type { ExitStatus } from "../enclave/enclave.ts";

export interface FailureDetails {
  component: string;
  enclave: string;
  pid: number | undefined;
  iteration: number;
  phase: string;
  /** What went wrong, in words. */
  reason: string;
  exit?: ExitStatus;
}

function describeExit(exit: ExitStatus | undefined): string {
  if (exit === undefined) return "";
  if (exit.signal !== null) return `; it was killed by ${exit.signal}`;
  if (exit.error !== undefined) return `; it exited with code ${exit.code}: ${exit.error}`;
  return `; it exited with code ${exit.code}`;
}

export class CouplingFailure extends Error {
  override name = "CouplingFailure";
  constructor(readonly details: FailureDetails) {
    const pid = details.pid === undefined ? "" : `, pid ${details.pid}`;
    const when =
      details.iteration < 0 ? `during ${details.phase}` : `in iteration ${details.iteration}, phase "${details.phase}"`;
    super(
      `component "${details.component}" (${details.enclave} enclave${pid}) ${details.reason} ${when}${describeExit(details.exit)}`,
    );
  }
}
