// Every file a run reads as input, hashed before the run starts: the
// composition, each module component's sources (see module-imports.ts), each
// command component's program (looked up on PATH as the launch does), any
// argument of its command line that names an existing file (a Python
// component's script, an input deck; found, as the component runs, in the
// composition's directory), the Python or C client it runs on (client-sources.ts) and
// the mesh files the composition takes meshes' points from. Files of the environment — libraries,
// the node binary — are recorded per enclave, from what the processes loaded.

import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Composition } from "../compose/load.ts";
import { stackSpecOf } from "../compose/paths.ts";
import { findExecutable } from "../platform/executable.ts";
import { withClients } from "../platform/python-client-path.ts";
import { clientSources } from "./client-sources.ts";
import { type HashedFile, hashFile } from "./file-digest.ts";
import { moduleSources } from "./module-imports.ts";

export type InputRole =
  | "composition"
  | "module"
  | "module source"
  | "program"
  | "command argument"
  | "client source"
  | "mesh file"
  | "stack spec";

export interface InputFile extends HashedFile {
  role: InputRole;
  /** The component that reads it; absent for the composition. */
  component?: string;
}

/** The composition entry is given: its bytes were hashed when it was read. */
export function compositionInputs(composition: Composition, compositionEntry: HashedFile): InputFile[] {
  const inputs: InputFile[] = [{ ...compositionEntry, role: "composition" }];
  const seen = new Set([compositionEntry.path]);
  const add = (path: string, role: InputRole, component: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    inputs.push({ ...hashFile(path), role, component });
  };
  // Components run in the composition's directory (runner/coupling-plan.ts): relative names are found there.
  const directory = dirname(composition.source);
  for (const [component, spec] of Object.entries(composition.components)) {
    if (spec.module !== undefined) {
      const [entry, ...imported] = moduleSources(spec.module);
      add(entry ?? spec.module, "module", component);
      for (const file of imported) add(file, "module source", component);
    }
    const [program, ...args] = spec.command ?? [];
    const commandFiles: string[] = [];
    if (program !== undefined) {
      const path = program.includes("/") ? program : (findExecutable(program) ?? program);
      add(path, "program", component);
      if (existsSync(path)) commandFiles.push(path);
    }
    for (const argument of args) {
      const candidate = isAbsolute(argument) ? argument : resolve(directory, argument);
      if (!argument.startsWith("-") && existsSync(candidate) && statSync(candidate).isFile()) {
        add(candidate, "command argument", component);
        commandFiles.push(candidate);
      }
    }
    // The Python or C client it runs on, as the SDK is a module component's.
    // Found with the environment the component runs with (from a bundle, the bundle's client comes first).
    const environment = withClients(spec.env, composition.source, spec.command !== undefined);
    for (const source of clientSources(commandFiles, environment, directory)) add(source, "client source", component);
    // The files a mesh's points come from.
    for (const mesh of Object.values(spec.meshes)) if (mesh.file !== undefined) add(mesh.file, "mesh file", component);
    // The spec file its stack is named by: the stack is that content, and a bundle carries the spec with it.
    const stack = stackSpecOf(spec);
    if (stack !== undefined) add(stack, "stack spec", component);
  }
  return inputs;
}
