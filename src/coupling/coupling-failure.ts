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

/** How a component ended, in words: "was killed by SIGKILL", "exited with code 3". */
export function describeExit(exit: ExitStatus): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.error !== undefined) return `crashed (exit code ${exit.code}): ${exit.error}`;
  return `exited with code ${exit.code}`;
}

export class CouplingFailure extends Error {
  override name = "CouplingFailure";
  constructor(readonly details: FailureDetails) {
    const pid = details.pid === undefined ? "" : `, pid ${details.pid}`;
    const when =
      details.iteration < 0 ? `during ${details.phase}` : `in iteration ${details.iteration}, phase "${details.phase}"`;
    super(`component "${details.component}" (${details.enclave} enclave${pid}) ${details.reason} ${when}`);
  }
}
