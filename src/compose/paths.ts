// Relative paths in a composition mean "relative to the composition file", so
// a composition runs the same from any working directory.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Finding } from "./positions.ts";
import type { CompositionDocument } from "./schema.ts";

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
      const [program, ...rest] = component.command ?? [];
      if (program !== undefined && isPath(program)) resolved.command = [resolve(directory, program), ...rest];
      return [name, resolved];
    }),
  );
  return {
    ...composition,
    components,
    results: { ...composition.results, directory: resolve(directory, composition.results.directory) },
  };
}

/** A module or program path that does not exist, named with where it was looked for. */
export function missingFileFindings(composition: CompositionDocument, directory: string): Finding[] {
  const findings: Finding[] = [];
  for (const [name, component] of Object.entries(composition.components)) {
    const checks: { key: "module" | "command"; file: string }[] = [];
    if (component.module !== undefined) checks.push({ key: "module", file: component.module });
    const program = component.command?.[0];
    if (program !== undefined && isPath(program)) checks.push({ key: "command", file: program });
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
