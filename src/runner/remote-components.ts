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

/** The node (1 …) of each rank of `name`: spread in blocks over every node (the first ones take one more), or all on its node. */
export function rankNodes(composition: Composition, name: string): number[] {
  const component = composition.components[name];
  const ranks = component?.ranks ?? 1;
  const node = componentNode(composition, name);
  if (node !== undefined) return Array.from({ length: ranks }, () => node);
  const nodes = composition.placement?.nodes ?? 1;
  const base = Math.floor(ranks / nodes);
  const extra = ranks % nodes;
  const placed: number[] = [];
  for (let index = 0; index < nodes; index++) {
    for (let count = 0; count < base + (index < extra ? 1 : 0); count++) placed.push(index + 1);
  }
  return placed;
}

/** `plan` with every component (or rank) placed off node 1 behind a relay to its agent (`addresses`: host → host:port). */
export function placeRemoteComponents<Spec>(
  plan: CouplingPlan<Spec>,
  composition: Composition,
  hosts: readonly string[],
  addresses: ReadonlyMap<string, string>,
): CouplingPlan<Spec> {
  return {
    ...plan,
    components: plan.components.map((component) => {
      const nodes = rankNodes(composition, component.name);
      if (nodes.every((node) => node === 1)) return component;
      const relayTo = (node: number) => {
        const host = hosts[node - 1] as string;
        const remote = { kind: component.kind, launch: { ...component.launch, name: component.name }, wait: plan.wait };
        return {
          host,
          launch: {
            module: RELAY_MODULE,
            ...(component.launch.cwd === undefined ? {} : { cwd: component.launch.cwd }),
            env: { [AGENT_VARIABLE]: addresses.get(host) as string, [REMOTE_LAUNCH_VARIABLE]: JSON.stringify(remote) },
          },
        };
      };
      if (nodes.length === 1) {
        const relay = relayTo(nodes[0] as number);
        return { ...component, kind: "process" as const, node: relay.host, launch: relay.launch };
      }
      // Ranks started as processes, some of them on other nodes: those through relays, the rest here.
      return {
        ...component,
        rankPlacements: nodes.map((node) => {
          if (node === 1) return undefined;
          const relay = relayTo(node);
          return { launch: relay.launch, node: relay.host };
        }),
      };
    }),
  };
}

/** The nodes (1 …) other than the driver's that host a component or a rank of `composition`. */
export function remoteNodes(composition: Composition): number[] {
  const nodes = new Set<number>();
  for (const name of Object.keys(composition.components)) {
    for (const node of rankNodes(composition, name)) if (node > 1) nodes.add(node);
  }
  return [...nodes].sort((a, b) => a - b);
}
