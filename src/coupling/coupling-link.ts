// What the loops do with a component, whether it runs as one process or as many ranks.
import type { Run } from "../shm/run.ts";
import type { WindowAttempt } from "./window-attempt.ts";

/**
 * The protocol steps the loops take with a component: one channel (ComponentLink), or every rank's channel
 * at once, with the partitions copied at the step's edges (ranks/rank-group-link.ts).
 */
export interface CouplingLink {
  readonly run: Run;
  pollHello(): boolean;
  acknowledge(): void;
  go(iteration: number): void;
  awaitDone(iteration: number, timeoutNs: number): void;
  sendWindow(attempt: WindowAttempt): void;
  awaitAttempt(attempt: WindowAttempt, timeoutNs: number): void;
  ping(timeoutNs: number): void;
  stop(timeoutNs: number): void;
  close(): void;
}
