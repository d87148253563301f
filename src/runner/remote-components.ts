// A plan whose components on other nodes are reached through relays: each
// such component becomes, on the driver's node, a process enclave running the
// relay (cluster/relay-main.ts), told its node's agent and the component's own
// launch; the component itself runs on its node, in the enclave the
// composition names, started by that node's agent.

import { AGENT_VARIABLE, REMOTE_LAUNCH_VARIABLE } from "../cluster/relay-environment.ts";
import type { Composition } from "../compose/load.ts";
import { componentNode } from "../compose/placement-checks.ts";
import type { CouplingPlan } from "../coupling/plan.ts";
import { packagePath } from "../platform/package-root.ts";

export const RELAY_MODULE = packagePath("src/cluster/relay-main.ts");

/** `plan` with every component placed off node 1 behind a relay to its agent (`addresses`: host → host:port). */
export function placeRemoteComponents<Spec>(
  plan: CouplingPlan<Spec>,
  composition: Composition,
  hosts: readonly string[],
  addresses: ReadonlyMap<string, string>,
): CouplingPlan<Spec> {
  return {
    ...plan,
    components: plan.components.map((component) => {
      const node = componentNode(composition, component.name) ?? 1;
      if (node === 1) return component;
      const host = hosts[node - 1] as string;
      const remote = { kind: component.kind, launch: { ...component.launch, name: component.name }, wait: plan.wait };
      return {
        ...component,
        kind: "process" as const,
        node: host,
        launch: {
          module: RELAY_MODULE,
          ...(component.launch.cwd === undefined ? {} : { cwd: component.launch.cwd }),
          env: {
            [AGENT_VARIABLE]: addresses.get(host) as string,
            [REMOTE_LAUNCH_VARIABLE]: JSON.stringify(remote),
          },
        },
      };
    }),
  };
}

/** The nodes (1 …) other than the driver's that host a component of `composition`. */
export function remoteNodes(composition: Composition): number[] {
  const nodes = new Set<number>();
  for (const name of Object.keys(composition.components)) {
    const node = componentNode(composition, name);
    if (node !== undefined && node > 1) nodes.add(node);
  }
  return [...nodes].sort((a, b) => a - b);
}
