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
  /** The meshes it must share, as declared; the driver checks the published metadata against them. */
  meshes: Record<string, MeshSpec>;
}

export interface FieldAddress {
  component: string;
  mesh: string;
  field: string;
}

export interface TransferPlan<OperatorSpec = unknown> {
  from: FieldAddress;
  to: FieldAddress;
  operator: OperatorSpec;
}

export interface CouplingPlan<OperatorSpec = unknown> {
  components: ComponentPlan[];
  transfers: TransferPlan<OperatorSpec>[];
  iterations: number;
  /** Who steps first; every component exactly once. */
  order: string[];
  startupTimeoutMs: number;
  stepTimeoutMs: number;
  wait: Partial<WaitStrategy>;
  /** Whether a NaN or ±Infinity in a field the driver carries ends the run (default true). */
  checkFinite?: boolean;
}

export function fieldLabel(address: FieldAddress): string {
  return `${address.component}.${address.mesh}.${address.field}`;
}
