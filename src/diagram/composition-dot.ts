// A composition as a Graphviz graph, the one drawing `conflux graph` prints and the live view shows.
import type { Component, CompositionDocument, OperatorSpec } from "../compose/index.ts";

/** A DOT string literal: Graphviz reads `\"` and `\\` inside quotes, and `\n` as a centred line break. */
function quoted(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}

/** What a box says about where and how its component runs: enclave, runtime, stack, ranks. */
export function componentLines(name: string, component: Component): string[] {
  const enclave = component.enclave;
  const where: string[] = [enclave.kind];
  if (enclave.kind === "container") where.push(enclave.container?.runtime ?? "bubblewrap");
  if (enclave.kind === "vm") where.push(`${enclave.vm?.cpus ?? 1} vCPU, ${enclave.vm?.memory_mib ?? 256} MiB`);
  const lines = [name, where.join(" · ")];
  const stack = enclave.container?.stack;
  lines.push(stack === undefined ? "host stack" : `stack ${stack}`);
  if (component.ranks > 1) lines.push(`${component.ranks} ranks (${component.launcher})`);
  return lines;
}

/** The operator as a short phrase: its method and the options that change what it computes. */
export function operatorPhrase(operator: OperatorSpec): string {
  const options = Object.entries(operator)
    .filter(([key, value]) => key !== "method" && value !== undefined && value !== false)
    .map(([key, value]) => `${key} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  return options.length === 0 ? operator.method : `${operator.method} (${options.join(", ")})`;
}

function schemeLine(composition: CompositionDocument): string {
  const coupling = composition.coupling;
  if (coupling.iterations !== undefined) return `${coupling.scheme}, ${coupling.iterations} iterations`;
  const end = coupling.max_time !== undefined ? `to t = ${coupling.max_time}` : `${coupling.windows ?? 0} windows`;
  return `${coupling.scheme}, windows of ${coupling.window} ${end}`;
}

/**
 * The composition as a Graphviz digraph: a box per component (grouped by node when the run spans several), a solid
 * edge per transfer labelled with its fields and operator, a dashed edge per asynchronous snapshot.
 */
export function compositionDot(composition: CompositionDocument): string {
  const out: string[] = [];
  out.push(`digraph ${quoted(composition.name)} {`);
  out.push(
    `  graph [label=${quoted(`${composition.name}\n${schemeLine(composition)}`)}, labelloc=t, fontname="Helvetica"];`,
  );
  out.push('  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];');
  out.push('  edge [fontname="Helvetica", fontsize=10];');
  const nodes = composition.placement?.nodes ?? 1;
  const names = Object.keys(composition.components);
  const box = (name: string, indent: string) =>
    `${indent}${quoted(name)} [label=${quoted(componentLines(name, composition.components[name] as Component).join("\n"))}];`;
  if (nodes > 1) {
    for (let node = 1; node <= nodes; node++) {
      const here = names.filter((name) => {
        const component = composition.components[name] as Component;
        return component.spread !== true && (component.node ?? 1) === node;
      });
      if (here.length === 0) continue;
      out.push(`  subgraph ${quoted(`cluster_node_${node}`)} {`);
      out.push(`    label=${quoted(node === 1 ? "node 1 (driver)" : `node ${node}`)}; style=dashed;`);
      for (const name of here) out.push(box(name, "    "));
      out.push("  }");
    }
    for (const name of names) {
      if ((composition.components[name] as Component).spread === true) out.push(box(name, "  "));
    }
  } else {
    for (const name of names) out.push(box(name, "  "));
  }
  for (const transfer of composition.transfers) {
    const [fromComponent, ...fromRest] = transfer.from.split(".");
    const [toComponent, ...toRest] = transfer.to.split(".");
    const label = `${fromRest.join(".")} → ${toRest.join(".")}\n${operatorPhrase(transfer.operator)}`;
    out.push(`  ${quoted(fromComponent as string)} -> ${quoted(toComponent as string)} [label=${quoted(label)}];`);
  }
  for (const snapshot of composition.asynchronous) {
    const [fromComponent, mesh] = snapshot.from.split(".");
    const [toComponent, readAs] = snapshot.to.split(".");
    const label = `snapshot ${mesh} as ${readAs}`;
    out.push(
      `  ${quoted(fromComponent as string)} -> ${quoted(toComponent as string)} [label=${quoted(label)}, style=dashed];`,
    );
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
