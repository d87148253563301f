// Checks the schema cannot express because they relate one part of the file to
// another: endpoints that name existing components, meshes and fields; enclave
// options that fit the enclave's kind; operator options that fit the method; a
// coupling order that lists every component. They run on a file whose
// structure is already valid.

import { asynchronousFindings, freeRunningComponents } from "./asynchronous-checks.ts";
import { operatorFindings } from "./operator.ts";
import { placementFindings } from "./placement-checks.ts";
import type { DataPath, Finding } from "./positions.ts";
import { resourceFindings } from "./resource-checks.ts";
import type { CompositionDocument, Mesh } from "./schema.ts";
import { didYouMean } from "./suggestion.ts";
import { timeCouplingFindings } from "./time-checks.ts";

function list(names: readonly string[]): string {
  return [...new Set(names)].join(", ");
}

/** "Components are appA, appB." — or a plain statement that there are none. */
function known(what: string, names: readonly string[], none: string): string {
  return names.length === 0 ? none : `${what} ${list(names)}.`;
}

interface ResolvedEndpoint {
  component: string;
  mesh: Mesh;
}

/** Finds `component.mesh.field`, or says which of the three does not exist. */
function resolveEndpoint(
  composition: CompositionDocument,
  endpoint: string,
  path: DataPath,
  findings: Finding[],
): ResolvedEndpoint | undefined {
  const [componentName = "", meshName = "", fieldName = ""] = endpoint.split(".");
  // What does not exist, the nearest name there is, and the names there are.
  const missing = (message: string, name: string, names: readonly string[], listed: string): undefined => {
    findings.push({ path, at: "value", message, hint: joinHints(didYouMean(name, names), listed) });
    return undefined;
  };
  const components = Object.keys(composition.components);
  const component = composition.components[componentName];
  if (component === undefined) {
    const listed = known("Components are", components, "No components are declared.");
    return missing(`component "${componentName}" does not exist`, componentName, components, listed);
  }
  const meshes = Object.keys(component.meshes);
  const mesh = component.meshes[meshName];
  if (mesh === undefined) {
    const listed = known("Its meshes are", meshes, "It shares no meshes.");
    return missing(`component "${componentName}" has no mesh "${meshName}"`, meshName, meshes, listed);
  }
  if (!mesh.fields.includes(fieldName)) {
    const listed = known("Its fields are", mesh.fields, "It has no fields.");
    return missing(`mesh "${componentName}.${meshName}" has no field "${fieldName}"`, fieldName, mesh.fields, listed);
  }
  return { component: componentName, mesh };
}

function joinHints(first: string | undefined, second: string): string {
  return first === undefined ? second : `${first} ${second}`;
}

function checkComponents(composition: CompositionDocument, findings: Finding[]): void {
  const names = Object.keys(composition.components);
  if (names.length === 0) {
    findings.push({
      path: ["components"],
      at: "value",
      message: "there are no components",
      hint: "Declare at least one component, e.g. appA: { module: ./app-a.ts }.",
    });
  }
  for (const [name, component] of Object.entries(composition.components)) {
    const path = ["components", name];
    if (component.module === undefined && component.command === undefined) {
      findings.push({
        path,
        at: "key",
        message: `component "${name}" has neither module nor command`,
        hint: "Give exactly one: module: ./app.ts (run with the SDK) or command: [./app, --flag] (an executable).",
      });
    } else if (component.module !== undefined && component.command !== undefined) {
      findings.push({
        path: [...path, "command"],
        at: "key",
        message: `component "${name}" has both module and command`,
        hint: "Keep exactly one of them.",
      });
    }
    const enclave = component.enclave;
    if (enclave.kind === "thread" && component.command !== undefined && component.module === undefined) {
      findings.push({
        path: [...path, "command"],
        at: "key",
        message: `a thread enclave runs a module in a worker thread and cannot run a command`,
        hint: "Use kind: process for an executable, or give a module.",
      });
    }
    for (const kind of ["container", "vm"] as const) {
      if (enclave[kind] !== undefined && enclave.kind !== kind) {
        findings.push({
          path: [...path, "enclave", kind],
          at: "key",
          message: `${kind} options apply only to kind ${kind}; this enclave is kind ${enclave.kind}`,
          hint: `Set kind: ${kind}, or remove the ${kind} block.`,
        });
      }
    }
    const cpus = enclave.cpus ?? [];
    cpus.forEach((cpu, index) => {
      if (cpus.indexOf(cpu) !== index) {
        findings.push({
          path: [...path, "enclave", "cpus", index],
          at: "value",
          message: `CPU ${cpu} is listed twice`,
        });
      }
    });
    for (const [meshName, mesh] of Object.entries(component.meshes)) {
      mesh.fields.forEach((field, index) => {
        if (mesh.fields.indexOf(field) !== index) {
          findings.push({
            path: [...path, "meshes", meshName, "fields", index],
            at: "value",
            message: `field "${field}" is listed twice`,
          });
        }
      });
    }
  }
}

function checkTransfers(composition: CompositionDocument, findings: Finding[]): void {
  const componentCount = Object.keys(composition.components).length;
  if (composition.transfers.length > 0 && componentCount < 2) {
    findings.push({
      path: ["transfers"],
      at: "key",
      message: `transfers need at least two components; there is ${componentCount}`,
      hint: "Add the component the data goes to, or remove the transfers.",
    });
  }
  const targets = new Map<string, number>();
  composition.transfers.forEach((transfer, index) => {
    const path = ["transfers", index];
    const from = resolveEndpoint(composition, transfer.from, [...path, "from"], findings);
    const to = resolveEndpoint(composition, transfer.to, [...path, "to"], findings);
    if (from !== undefined && to !== undefined) {
      if (from.component === to.component) {
        findings.push({
          path: [...path, "to"],
          at: "value",
          message: `a transfer goes between two different components; both ends are in "${from.component}"`,
          hint: "Point to at a field of another component.",
        });
      } else if (from.mesh.dimension !== to.mesh.dimension) {
        const [fromComponent, fromMesh] = transfer.from.split(".");
        const [toComponent, toMesh] = transfer.to.split(".");
        findings.push({
          path: [...path, "to"],
          at: "value",
          message: `mesh "${toComponent}.${toMesh}" is ${to.mesh.dimension}-D but "${fromComponent}.${fromMesh}" is ${from.mesh.dimension}-D`,
          hint: "A transfer maps between meshes of the same dimension.",
        });
      }
    }
    const earlier = targets.get(transfer.to);
    if (earlier !== undefined) {
      findings.push({
        path: [...path, "to"],
        at: "value",
        message: `"${transfer.to}" is already the target of transfers[${earlier}]`,
        hint: "A field receives data from one transfer only.",
      });
    } else {
      targets.set(transfer.to, index);
    }
    findings.push(...operatorFindings(transfer.operator, [...path, "operator"]));
  });
}

function checkOrder(composition: CompositionDocument, findings: Finding[]): void {
  const components = Object.keys(composition.components);
  const order = composition.coupling.order;
  order.forEach((name, index) => {
    const path = ["coupling", "order", index];
    if (!components.includes(name)) {
      findings.push({
        path,
        at: "value",
        message: `component "${name}" does not exist`,
        hint: joinHints(
          didYouMean(name, components),
          known("Components are", components, "No components are declared."),
        ),
      });
    } else if (order.indexOf(name) !== index) {
      findings.push({ path, at: "value", message: `component "${name}" is listed twice` });
    }
  });
  const free = freeRunningComponents(composition);
  const missing = components.filter((name) => !order.includes(name) && !free.includes(name));
  if (missing.length > 0) {
    findings.push({
      path: ["coupling", "order"],
      at: "value",
      message: `the order must list every component once; it lacks ${list(missing)}`,
      hint: `Components are ${list(components)}.${composition.asynchronous.length === 0 ? "" : " Only a component that reads snapshots (asynchronous) may be left out."}`,
    });
  }
}

function checkOutputs(composition: CompositionDocument, findings: Finding[]): void {
  composition.results.outputs.forEach((output, index) => {
    const path = ["results", "outputs", index];
    resolveEndpoint(composition, output.field, [...path, "field"], findings);
    if (output.tolerance !== undefined) {
      const given = Object.values(output.tolerance).filter((value) => value !== undefined).length;
      if (given !== 1) {
        findings.push({
          path: [...path, "tolerance"],
          at: "value",
          message: `a tolerance has exactly one of absolute, relative or ulps; this one has ${given}`,
          hint: "Remove the tolerance for a bitwise comparison.",
        });
      }
    }
  });
}

/** Every cross-reference problem of a structurally valid composition. */
/** Ranks run where a launcher can start them, and share meshes, not snapshots. */
function checkRanks(composition: CompositionDocument, findings: Finding[]): void {
  const asynchronous = composition.asynchronous.flatMap((link) => [link.from, link.to].map((end) => end.split(".")[0]));
  for (const [name, component] of Object.entries(composition.components)) {
    const path = ["components", name];
    const kind = component.enclave.kind;
    if (component.launcher === "mpirun" && component.command === undefined) {
      findings.push({
        path: [...path, "launcher"],
        at: "value",
        message: `component "${name}" has launcher: mpirun but no command`,
        hint: "mpirun runs a command: give command: [./solver], or leave launcher out to start the ranks as processes.",
      });
    }
    if (component.ranks === 1) continue;
    if (kind === "thread" || kind === "vm") {
      findings.push({
        path: [...path, "ranks"],
        at: "value",
        message: `component "${name}" has ${component.ranks} ranks in a ${kind} enclave, which runs one`,
        hint: "Run a component of many ranks in a process or container enclave (enclave: { kind: process }).",
      });
    } else if (kind === "container" && component.launcher !== "mpirun") {
      findings.push({
        path: [...path, "ranks"],
        at: "value",
        message: `component "${name}" has ${component.ranks} ranks in a container, started as plain processes`,
        hint: "A container starts its ranks with its stack's own mpirun: add launcher: mpirun (and openmpi-bin to the stack).",
      });
    }
    if (asynchronous.includes(name)) {
      findings.push({
        path: [...path, "ranks"],
        at: "value",
        message: `component "${name}" has ${component.ranks} ranks and takes part in an asynchronous coupling`,
        hint: "Snapshots are shared by components of one rank: give it ranks: 1, or couple it through transfers.",
      });
    }
  }
}

export function semanticFindings(composition: CompositionDocument): Finding[] {
  const findings: Finding[] = [];
  checkRanks(composition, findings);
  checkComponents(composition, findings);
  checkTransfers(composition, findings);
  checkOrder(composition, findings);
  checkOutputs(composition, findings);
  findings.push(...asynchronousFindings(composition));
  findings.push(...placementFindings(composition));
  findings.push(...resourceFindings(composition));
  findings.push(...timeCouplingFindings(composition));
  return findings;
}
