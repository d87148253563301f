// How a component of many ranks is started (docs/parallel.md): as N plain
// processes the driver starts itself, each told its rank, or as one enclave
// that runs the component under the enclave's own mpirun (a container's is
// its stack's), which tells each rank its own. Either way every rank learns
// the declared count from CONFLUX_RANKS, and checks it against its launcher's.

import type { ContainerLaunch } from "../../enclave/container/settings.ts";
import { createEnclave, type Enclave, EnclaveGroup, type EnclaveOptions } from "../../enclave/index.ts";
import type { VmLaunch } from "../../enclave/vm/settings.ts";
import { RANK_VARIABLE, RANKS_VARIABLE } from "../../wire/environment.ts";
import type { ComponentPlan } from "../plan.ts";

/**
 * What Open MPI needs to run N ranks on one node inside any enclave: more ranks than cores
 * (--oversubscribe), no pinning (the enclave pins, if anything), and, where the enclave runs as root
 * (containers do), its consent through its own variables rather than a flag a non-root run would refuse.
 */
export function mpirunCommand(ranks: number, command: readonly string[]): string[] {
  return ["mpirun", "-n", String(ranks), "--oversubscribe", "--bind-to", "none", ...command];
}

export const MPIRUN_ENVIRONMENT: Readonly<Record<string, string>> = {
  OMPI_ALLOW_RUN_AS_ROOT: "1",
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1",
  // Cross-memory attach needs ptrace rights a container does not grant; copying through shared memory works everywhere.
  OMPI_MCA_btl_vader_single_copy_mechanism: "none",
};

/** The enclave (one, or a group of one per rank) that runs `component`. */
export function createRankedEnclave(
  component: ComponentPlan,
  launch: ContainerLaunch & VmLaunch,
  options: EnclaveOptions,
): Enclave {
  const ranks = component.ranks ?? 1;
  const env = { ...launch.env, [RANKS_VARIABLE]: String(ranks) };
  if (component.launcher === "mpirun") {
    if (launch.command === undefined) {
      throw new Error(`component ${component.name}: launcher: mpirun runs a command; give command, not module`);
    }
    return createEnclave(
      component.kind,
      { ...launch, command: mpirunCommand(ranks, launch.command), env: { ...env, ...MPIRUN_ENVIRONMENT } },
      options,
    );
  }
  if (ranks === 1) return createEnclave(component.kind, { ...launch, env }, options);
  if (component.kind !== "process") {
    throw new Error(
      `component ${component.name}: ${ranks} ranks as plain processes need a process enclave; a ${component.kind} enclave starts its ranks with launcher: mpirun`,
    );
  }
  const members: Enclave[] = [];
  for (let rank = 0; rank < ranks; rank++) {
    // A rank on another node: its relay here, with the driver's additions to the environment.
    const placed = component.rankPlacements?.[rank];
    const own = placed === undefined ? launch : relayed(launch, placed.launch);
    members.push(
      createEnclave(
        component.kind,
        { ...own, env: { ...env, ...own.env, [RANKS_VARIABLE]: String(ranks), [RANK_VARIABLE]: String(rank) } },
        options,
      ),
    );
  }
  return new EnclaveGroup(component.name, members);
}

/** A rank's launch replaced by its relay's (which runs a module, not the rank's program), keeping the rest. */
function relayed(launch: ContainerLaunch & VmLaunch, relay: ComponentPlan["launch"]): ContainerLaunch & VmLaunch {
  const { command: _command, module: _module, ...rest } = launch;
  return { ...rest, ...relay, env: { ...launch.env, ...relay.env } };
}
