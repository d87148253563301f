// What the driver runs: components, their expected meshes, the transfers and
// the loop. Built from a composition file by the runner (the coupling
// layer knows no file format) or directly by a program.

import type { ContainerLaunch } from "../enclave/container/settings.ts";
import type { EnclaveKind } from "../enclave/kind.ts";
import type { VmLaunch } from "../enclave/vm/settings.ts";
import type { WaitStrategy } from "../queue/wait-strategy.ts";
import type { MeshSpec } from "../wire/mesh.ts";

export interface ComponentPlan {
  name: string;
  kind: EnclaveKind;
  /** What to run; `container` (kind container only) says in which runtime and root, `vm` (kind vm only) what guest. */
  launch: Omit<ContainerLaunch & VmLaunch, "runDirectory" | "name">;
  /**
   * The meshes it must share, as declared; the driver checks the published metadata against them. A count
   * left out is whatever the component (the sum over its ranks) publishes.
   */
  meshes: Record<string, ExpectedMesh>;
  /** How many ranks it runs as (docs/parallel.md); 1 when absent. */
  ranks?: number;
  /** Who starts the ranks: the driver, as plain processes (the default), or the enclave's mpirun. */
  launcher?: RankLauncher;
  /** The node it runs on when not the driver's (its host name): it is then reached through a relay (docs/cluster.md). */
  node?: string;
  /**
   * A component of many ranks started as processes whose ranks are not all on the driver's node: per rank, the
   * launch that replaces `launch` (a relay's) and the node it runs on; absent entries run as `launch` here.
   */
  rankPlacements?: ({ launch: ComponentPlan["launch"]; node: string } | undefined)[];
  /**
   * Meshes whose points the composition gives (read from a file), in the
   * declared dimension and layout: transfers are built on these, and the
   * driver writes them into the component's mesh before its first step.
   */
  givenCoordinates?: Record<string, Float64Array>;
}

export type RankLauncher = "processes" | "mpirun";

/** A mesh as the composition declares it: its point count is optional (then what is published counts). */
export type ExpectedMesh = Omit<MeshSpec, "count"> & { count?: number };

export interface FieldAddress {
  component: string;
  mesh: string;
  field: string;
}

export interface TransferPlan<OperatorSpec = unknown> {
  from: FieldAddress;
  to: FieldAddress;
  operator: OperatorSpec;
  /** Runs in time: the B-spline degree the target reads the waveform with (0..3; 1 when absent). */
  waveformDegree?: number;
}

/**
 * An asynchronous coupling: a mesh its owner publishes as a double-buffered snapshot (wire/snapshot.ts),
 * which another component reads while the owner runs on; the owner never waits for it.
 */
export interface SnapshotPlan {
  /** The owner and its mesh (declared among its meshes; shared as a snapshot, not as a mesh). */
  from: { component: string; mesh: string };
  /** The component that reads it, and the name it reads it by. */
  to: { component: string; name: string };
}

export type SchemeName = "serial-explicit" | "parallel-explicit" | "serial-implicit" | "parallel-implicit" | "multi";

export type ConvergenceMeasureKind = "absolute" | "relative" | "residual-relative";

export interface ConvergencePlan {
  /** Either end of a transfer: the transfer's data is measured where its target reads it. */
  field: FieldAddress;
  measure: ConvergenceMeasureKind;
  limit: number;
}

export interface AccelerationPlan {
  method: "constant" | "aitken" | "iqn-ils" | "iqn-imvj";
  /** Either end of a transfer: its data is accelerated in the target's (driver-written) waveform. */
  fields: FieldAddress[];
  /** constant: ω; the others: ω of the first iteration. */
  relaxation: number;
  maxColumns: number;
  windowsReused: number;
  filter: "none" | "qr1" | "qr2" | "qr3";
  filterLimit: number;
  preconditioner: "residual-sum" | "value" | "constant" | "none";
  /** preconditioner constant: one factor per field. */
  scaling: number[];
  restart: { mode: "none" | "rs-0" | "rs-ls" | "rs-svd"; chunk: number; truncation: number; reusedWindows: number };
}

/** A run in physical time (issue 17): windows, each taken once (explicit) or until it converges (implicit). */
export interface TimePlan {
  scheme: SchemeName;
  /** The window size, or "first-participant": the first component's one step sets each window (serial schemes). */
  window: number | "first-participant";
  /** The run ends at maxTime (the last window cut to end there) or after `windows` windows: exactly one is set. */
  maxTime?: number;
  windows?: number;
  /** Steps a component may take in a window; the waveforms hold one sample more. */
  maxSubsteps: number;
  minIterations: number;
  maxIterations: number;
  onMaxIterations: "stop" | "continue";
  convergence: ConvergencePlan[];
  acceleration?: AccelerationPlan;
}

export interface CouplingPlan<OperatorSpec = unknown> {
  components: ComponentPlan[];
  transfers: TransferPlan<OperatorSpec>[];
  /** An iteration run's iterations (0 in a run in time). */
  iterations: number;
  /** Present for a run in physical time; absent for an iteration run. */
  time?: TimePlan;
  /**
   * Who steps first: every component exactly once, except those that only read snapshots (the `to` of an
   * asynchronous coupling), which run free between ack and stop.
   */
  order: string[];
  /** Asynchronous couplings (iteration runs only). */
  snapshots?: SnapshotPlan[];
  startupTimeoutMs: number;
  stepTimeoutMs: number;
  wait: Partial<WaitStrategy>;
  /** Whether a NaN or ±Infinity in a field the driver carries ends the run (default true). */
  checkFinite?: boolean;
  /** Threads the driver's operators and acceleration may use (default 1); results do not depend on it. */
  threads?: number;
}

export function fieldLabel(address: FieldAddress): string {
  return `${address.component}.${address.mesh}.${address.field}`;
}
