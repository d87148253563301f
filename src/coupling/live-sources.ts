// What a live view may read of a running driver, between two of its iterations: the meshes as they are in
// shared memory, every phase's samples so far, the windows completed. Handed out once before the loop
// (DriverHooks.watch); the view reads it from the driver's own thread, in its onIteration call, so nothing
// moves under it while it reads.
import type { SharedMesh } from "../shm/shared-mesh.ts";
import type { WindowConvergence } from "./schemes/time-run.ts";

export interface LiveRunSources {
  readonly runId: string;
  /** Every mesh of the run, by `<component>.<mesh>`. */
  readonly meshes: ReadonlyMap<string, SharedMesh>;
  /** Every phase's samples so far, in nanoseconds (their counts brought up to date first). */
  phaseSamples(): { phase: string; samples: Float64Array }[];
  /** A run in time: every window completed so far; empty otherwise. */
  windows(): readonly WindowConvergence[];
  /** Each transfer's setup, in milliseconds. */
  readonly setupMs: Readonly<Record<string, number>>;
}
