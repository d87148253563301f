// Checks of the asynchronous couplings that relate them to the rest of the
// file: a `from` that names a component's mesh, a `to` on another component
// that reads each name once, a published mesh that no transfer or output uses
// (the driver never maps a snapshot), iteration runs only, and the components
// left out of coupling.order (they run free, so they read snapshots and take
// part in no transfer). They run on a file whose structure is already valid,
// beside semantic-checks.ts.
import type { Finding } from "./positions.ts";
import type { CompositionDocument } from "./schema.ts";
import { didYouMean } from "./suggestion.ts";

function names(list: readonly string[]): string {
  return list.length === 0 ? "none" : list.join(", ");
}

/** The components that only read snapshots: left out of coupling.order, they run free between ack and stop. */
export function freeRunningComponents(composition: CompositionDocument): string[] {
  const readers = new Set(composition.asynchronous.map((coupling) => coupling.to.split(".")[0] ?? ""));
  return Object.keys(composition.components).filter(
    (name) => readers.has(name) && !composition.coupling.order.includes(name),
  );
}

export function asynchronousFindings(composition: CompositionDocument): Finding[] {
  const findings: Finding[] = [];
  const components = Object.keys(composition.components);
  const published = new Set<string>();
  const readNames = new Map<string, number>();
  composition.asynchronous.forEach((coupling, index) => {
    const path = ["asynchronous", index];
    const [owner = "", mesh = ""] = coupling.from.split(".");
    const [reader = "", name = ""] = coupling.to.split(".");
    const component = composition.components[owner];
    if (component === undefined) {
      findings.push({
        path: [...path, "from"],
        at: "value",
        message: `component "${owner}" does not exist`,
        hint: `${didYouMean(owner, components) ?? ""} Components are ${names(components)}.`.trim(),
      });
    } else if (component.meshes[mesh] === undefined) {
      const meshes = Object.keys(component.meshes);
      findings.push({
        path: [...path, "from"],
        at: "value",
        message: `component "${owner}" has no mesh "${mesh}"`,
        hint: `${didYouMean(mesh, meshes) ?? ""} Its meshes are ${names(meshes)}; declare the mesh it publishes under its meshes.`.trim(),
      });
    } else {
      published.add(coupling.from);
    }
    if (composition.components[reader] === undefined) {
      findings.push({
        path: [...path, "to"],
        at: "value",
        message: `component "${reader}" does not exist`,
        hint: `${didYouMean(reader, components) ?? ""} Components are ${names(components)}.`.trim(),
      });
    } else if (reader === owner) {
      findings.push({
        path: [...path, "to"],
        at: "value",
        message: `a snapshot is read by another component; "${owner}" would read its own`,
        hint: "Point to at the component that analyses it.",
      });
    }
    const earlier = readNames.get(coupling.to);
    if (earlier !== undefined) {
      findings.push({
        path: [...path, "to"],
        at: "value",
        message: `"${coupling.to}" already reads asynchronous[${earlier}]`,
        hint: `A component reads each snapshot under a name of its own: choose another name than "${name}".`,
      });
    } else {
      readNames.set(coupling.to, index);
    }
  });
  if (composition.asynchronous.length > 0 && composition.coupling.window !== undefined) {
    findings.push({
      path: ["asynchronous"],
      at: "key",
      message: "asynchronous couplings run in iteration runs; this one runs in physical time (coupling.window)",
      hint: "Use coupling.iterations, or carry the field with a transfer.",
    });
  }
  composition.transfers.forEach((transfer, index) => {
    for (const end of ["from", "to"] as const) {
      const [component = "", mesh = ""] = transfer[end].split(".");
      if (published.has(`${component}.${mesh}`)) {
        findings.push({
          path: ["transfers", index, end],
          at: "value",
          message: `mesh "${component}.${mesh}" is published as a snapshot (asynchronous), which no transfer maps`,
          hint: "Share another mesh for the transfer, or read the snapshot in the other component.",
        });
      }
    }
  });
  composition.results.outputs.forEach((output, index) => {
    const [component = "", mesh = ""] = output.field.split(".");
    if (published.has(`${component}.${mesh}`)) {
      findings.push({
        path: ["results", "outputs", index, "field"],
        at: "value",
        message: `mesh "${component}.${mesh}" is published as a snapshot (asynchronous): the driver keeps no field of it`,
        hint: "Write the result out from the component that reads the snapshot.",
      });
    }
  });
  const free = new Set(freeRunningComponents(composition));
  composition.transfers.forEach((transfer, index) => {
    for (const end of ["from", "to"] as const) {
      const component = transfer[end].split(".")[0] ?? "";
      if (free.has(component)) {
        findings.push({
          path: ["transfers", index, end],
          at: "value",
          message: `component "${component}" is left out of coupling.order, so it runs free and takes part in no transfer`,
          hint: `Add "${component}" to coupling.order, or remove the transfer.`,
        });
      }
    }
  });
  return findings;
}
