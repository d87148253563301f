// The one error a failed run ends with: which component, in which enclave,
// which process, how it ended, in which iteration and phase.
import type { ExitStatus } from "../enclave/enclave.ts";

export interface FailureDetails {
  component: string;
  /** A component of many ranks: the rank at fault, when one is (pid is then that rank's). */
  rank?: number;
  enclave: string;
  /** The component's node, when it runs on another than the driver's. */
  node?: string;
  pid: number | undefined;
  iteration: number;
  /** Runs in time: the window, `iteration` being the attempt within it. */
  window?: number;
  phase: string;
  /** What went wrong, in words. */
  reason: string;
  exit?: ExitStatus;
}

/** How a component ended, in words: "was killed by SIGKILL", "exited with code 3". */
export function describeExit(exit: ExitStatus): string {
  const memory = exit.memoryLimit;
  if (memory !== undefined) {
    const peak = (memory.peakBytes / 2 ** 20).toFixed(1);
    return `was killed by the kernel for exceeding its enclave's memory limit of ${memory.limitMib} MiB (memory_mib; peak ${peak} MiB)`;
  }
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.error !== undefined) return `crashed (exit code ${exit.code}): ${exit.error}`;
  return `exited with code ${exit.code}`;
}

export class CouplingFailure extends Error {
  override name = "CouplingFailure";
  constructor(readonly details: FailureDetails) {
    const pid = details.pid === undefined ? "" : `, pid ${details.pid}`;
    const rank = details.rank === undefined ? "" : ` rank ${details.rank}`;
    super(
      `component "${details.component}"${rank} (${details.enclave} enclave${details.node === undefined ? "" : ` on ${details.node}`}${pid}) ${details.reason} ${when(details)}`,
    );
  }
}

function when(details: FailureDetails): string {
  if (details.window !== undefined && details.window >= 0) {
    // A reason that names its window already (as the protocol's do) needs only the phase.
    if (details.reason.includes(`window ${details.window} (iteration ${details.iteration})`)) {
      return `(phase "${details.phase}")`;
    }
    return `in window ${details.window} (iteration ${details.iteration}), phase "${details.phase}"`;
  }
  return details.iteration < 0
    ? `during ${details.phase}`
    : `in iteration ${details.iteration}, phase "${details.phase}"`;
}
