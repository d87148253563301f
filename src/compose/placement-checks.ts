// Checks of where components run (placement.nodes, a component's node and
// spread) against the rest of the file: a node within the placement, spread
// only for a component of many ranks started as processes and on more than one
// node, threads on the driver's node (a thread runs in the driver's process),
// virtual machines and containers of many ranks there too (other nodes run
// processes and containers of one rank; ranks there run as processes),
// and no asynchronous coupling between nodes (a snapshot is shared memory,
// which does not cross nodes). They run on a file whose structure is already
// valid, beside semantic-checks.ts. docs/cluster.md has the model.
import type { Finding } from "./positions.ts";
import type { CompositionDocument } from "./schema.ts";

/** The node (1 …) a component of one node runs on; undefined for a component spread over every node. */
export function componentNode(composition: CompositionDocument, name: string): number | undefined {
  const component = composition.components[name];
  return component?.spread === true ? undefined : (component?.node ?? 1);
}

export function placementFindings(composition: CompositionDocument): Finding[] {
  const findings: Finding[] = [];
  const nodes = composition.placement?.nodes;
  for (const [name, component] of Object.entries(composition.components)) {
    const path = ["components", name];
    if (component.node !== undefined && nodes === undefined) {
      findings.push({
        path: [...path, "node"],
        at: "value",
        message: `component "${name}" is placed on node ${component.node}, but the composition sets no placement`,
        hint: `Say how many nodes the run spans: placement: { nodes: ${Math.max(2, component.node)} }.`,
      });
    } else if (component.node !== undefined && nodes !== undefined && component.node > nodes) {
      findings.push({
        path: [...path, "node"],
        at: "value",
        message: `component "${name}" is placed on node ${component.node}, but the run spans ${nodes} node${nodes === 1 ? "" : "s"}`,
        hint: `Nodes are numbered 1 to ${nodes}; or raise placement.nodes to ${component.node}.`,
      });
    }
    if (component.spread === true) {
      if (component.node !== undefined) {
        findings.push({
          path: [...path, "spread"],
          at: "value",
          message: `component "${name}" is both spread over every node and placed on node ${component.node}`,
          hint: "Give one of the two: spread: true for its ranks on every node, or node: K for all of them on node K.",
        });
      }
      if (component.ranks === 1) {
        findings.push({
          path: [...path, "spread"],
          at: "value",
          message: `component "${name}" is spread over the nodes but runs as one rank`,
          hint: "Spreading places ranks: give it ranks: N (N > 1), or leave spread out.",
        });
      }
      if (nodes === undefined || nodes === 1) {
        findings.push({
          path: [...path, "spread"],
          at: "value",
          message: `component "${name}" is spread over the nodes, but the run spans one node`,
          hint: "Set placement: { nodes: N } with N > 1, or leave spread out.",
        });
      }
      if (component.launcher === "mpirun") {
        findings.push({
          path: [...path, "launcher"],
          at: "value",
          message: `component "${name}" is spread over the nodes with launcher: mpirun`,
          hint: "Ranks spread over nodes are started by each node's agent as processes: leave launcher out.",
        });
      }
    }
    const node = componentNode(composition, name);
    const kind = component.enclave.kind;
    const placedAt = [...path, component.spread === true ? "spread" : "node"];
    if (kind === "thread" && node !== 1) {
      findings.push({
        path: placedAt,
        at: "value",
        message: `component "${name}" runs in a thread enclave, which is the driver's process, on node 1`,
        hint: "Run it in a process enclave (enclave: { kind: process }) to place it on another node.",
      });
    } else if (kind === "vm" && node !== 1) {
      // Other nodes run process and container enclaves in this version (docs/cluster.md's status table).
      findings.push({
        path: placedAt,
        at: "value",
        message: `component "${name}" runs in a vm enclave on ${node === undefined ? "every node" : `node ${node}`}; another node runs process and container enclaves`,
        hint: "Run it in a process or container enclave there, or on node 1.",
      });
    } else if (kind === "container" && component.ranks > 1 && node !== 1) {
      // Another node's agent starts each rank of a component there as a process of its own; a container's ranks
      // come from its stack's mpirun, which the agent does not run. (Thread and vm enclaves of many ranks are
      // refused on any node, by the checks of ranks.)
      findings.push({
        path: placedAt,
        at: "value",
        message: `component "${name}" has ${component.ranks} ranks in a container enclave off the driver's node; ranks on other nodes run as processes`,
        hint: "Give it enclave: { kind: process } (each node's agent starts its ranks), or keep it on node 1.",
      });
    }
  }
  composition.asynchronous.forEach((coupling, index) => {
    const [owner = ""] = coupling.from.split(".");
    const [reader = ""] = coupling.to.split(".");
    if (composition.components[owner] === undefined || composition.components[reader] === undefined) return;
    const from = componentNode(composition, owner);
    const to = componentNode(composition, reader);
    if (from === undefined || to === undefined || from !== to) {
      findings.push({
        path: ["asynchronous", index],
        at: "value",
        message: `the snapshot of ${coupling.from} would cross nodes (${owner} on ${from === undefined ? "every node" : `node ${from}`}, ${reader} on ${to === undefined ? "every node" : `node ${to}`})`,
        hint: "A snapshot is shared memory, which does not cross nodes: place both components on one node.",
      });
    }
  });
  return findings;
}
