// Relative paths in a composition mean "relative to the composition file", so
// a composition runs the same from any working directory.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { declaredGeometry, MeshFileError } from "../meshfile/index.ts";
import type { Finding } from "./positions.ts";
import { type CompositionDocument, STACK_SPEC_PATTERN } from "./schema.ts";

type ComponentDocument = CompositionDocument["components"][string];

/** The spec file a container component names as its stack (as written), when it names one rather than a stack's name. */
export function stackSpecOf(component: ComponentDocument): string | undefined {
  const stack = component.enclave.kind === "container" ? component.enclave.container?.stack : undefined;
  return stack !== undefined && STACK_SPEC_PATTERN.test(stack) ? stack : undefined;
}

/** A command's program is a path when it has a slash; otherwise it is looked up on PATH when it starts. */
function isPath(program: string): boolean {
  return program.includes("/");
}

/** The same composition with module, command program and results directory made absolute. */
export function resolvePaths(composition: CompositionDocument, directory: string): CompositionDocument {
  const components = Object.fromEntries(
    Object.entries(composition.components).map(([name, component]) => {
      const resolved = { ...component };
      if (component.module !== undefined) resolved.module = resolve(directory, component.module);
      const stack = stackSpecOf(component);
      const container = resolved.enclave.container;
      if (stack !== undefined && container !== undefined) {
        resolved.enclave = { ...resolved.enclave, container: { ...container, stack: resolve(directory, stack) } };
      }
      const [program, ...rest] = component.command ?? [];
      if (program !== undefined && isPath(program)) resolved.command = [resolve(directory, program), ...rest];
      resolved.meshes = Object.fromEntries(
        Object.entries(component.meshes).map(([meshName, mesh]) => [
          meshName,
          mesh.file === undefined ? mesh : { ...mesh, file: resolve(directory, mesh.file) },
        ]),
      );
      return [name, resolved];
    }),
  );
  return {
    ...composition,
    components,
    results: { ...composition.results, directory: resolve(directory, composition.results.directory) },
  };
}

/**
 * A module, program or stack spec path that does not exist, named with where it was looked for; and, given
 * `stackSpecProblem`, a stack spec that is not one, with what its reader says.
 */
export function missingFileFindings(
  composition: CompositionDocument,
  directory: string,
  stackSpecProblem?: (file: string) => string | undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const [name, component] of Object.entries(composition.components)) {
    const checks: { key: "module" | "command"; file: string }[] = [];
    if (component.module !== undefined) checks.push({ key: "module", file: component.module });
    const program = component.command?.[0];
    if (program !== undefined && isPath(program)) checks.push({ key: "command", file: program });
    const stack = stackSpecOf(component);
    const stackSpec = stack === undefined ? undefined : resolve(directory, stack);
    const stackKey = ["components", name, "enclave", "container", "stack"];
    if (stackSpec !== undefined && !existsSync(stackSpec)) {
      findings.push({
        path: stackKey,
        at: "value",
        message: `stack spec "${stack}" does not exist`,
        hint: `Looked for ${stackSpec}${isAbsolute(stack as string) ? "" : "; relative paths start from the composition file's directory"}.`,
      });
    } else if (stackSpec !== undefined && stackSpecProblem !== undefined) {
      const problem = stackSpecProblem(stackSpec);
      if (problem !== undefined) {
        findings.push({
          path: stackKey,
          at: "value",
          message: `stack spec "${stack}" is not a stack spec: ${problem}`,
          hint: "Fix the spec (its format is in docs/containers.md), or name another.",
        });
      }
    }
    for (const { key, file } of checks) {
      const absolute = resolve(directory, file);
      if (existsSync(absolute)) continue;
      const relativeNote = isAbsolute(file) ? "" : "; relative paths start from the composition file's directory";
      findings.push({
        path: key === "module" ? ["components", name, "module"] : ["components", name, "command", 0],
        at: "value",
        message: `${key === "module" ? "module" : "program"} "${file}" does not exist`,
        hint: `Looked for ${absolute}${relativeNote}.`,
      });
    }
  }
  return findings;
}

/**
 * Each mesh file a composition names, read as the run will read it: a file
 * that is missing, unreadable or unlike its mesh's declaration is a finding at
 * its `file` key. Where it is sound, `points` is filled in from it.
 */
export function meshFileFindings(composition: CompositionDocument, directory: string): Finding[] {
  const findings: Finding[] = [];
  for (const [name, component] of Object.entries(composition.components)) {
    for (const [meshName, mesh] of Object.entries(component.meshes)) {
      if (mesh.file === undefined) continue;
      const absolute = resolve(directory, mesh.file);
      const path = ["components", name, "meshes", meshName, "file"];
      if (!existsSync(absolute)) {
        const relativeNote = isAbsolute(mesh.file)
          ? ""
          : "; relative paths start from the composition file's directory";
        findings.push({
          path,
          at: "value",
          message: `mesh file "${mesh.file}" does not exist`,
          hint: `Looked for ${absolute}${relativeNote}.`,
        });
        continue;
      }
      try {
        mesh.points = declaredGeometry(absolute, mesh.dimension, mesh.layout, mesh.points).count;
      } catch (error) {
        if (!(error instanceof MeshFileError)) throw error;
        findings.push({ path, at: "value", message: error.message });
      }
    }
  }
  return findings;
}
