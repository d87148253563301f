// Reading a composition: YAML syntax, then structure (the schema), then the
// cross-references; every problem of the first stage that fails is reported at
// once, each at its line and column. Nothing here starts anything.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { meshFileFindings, missingFileFindings, resolvePaths } from "./paths.ts";
import { type Finding, locate } from "./positions.ts";
import { CompositionError, type Problem } from "./problem.ts";
import { hostResourceFindings } from "./resource-checks.ts";
import { type CompositionDocument, compositionSchema, containerOptionsSchema, vmOptionsSchema } from "./schema.ts";
import { findingsFromIssues } from "./schema-issues.ts";
import { semanticFindings } from "./semantic-checks.ts";
import { syntaxProblems } from "./yaml-syntax.ts";

/** A valid composition: defaults filled in, paths absolute. */
export type Composition = CompositionDocument & {
  /** Absolute path of the composition file (for parseComposition: the name it was given, resolved). */
  source: string;
};

export interface CompositionOptions {
  /** Report module and program paths that do not exist. */
  checkFiles?: boolean;
  /**
   * With checkFiles: what makes a stack spec a component names by its file (the absolute path) no spec, or
   * undefined. Stack specs are stack/'s to read, below which compose sits, so validate and run pass its reader;
   * without one, a spec is only looked for.
   */
  stackSpecProblem?: (file: string) => string | undefined;
  /**
   * Why this host has no cgroups the driver can use, or undefined when it has: asked only of a composition that
   * sets memory_mib or cpu_weight, whose keys are then refused where they stand.
   */
  cgroupsMissing?: () => string | undefined;
}

function byPlace(a: Problem, b: Problem): number {
  return a.line - b.line || a.column - b.column;
}

/** An enclave of kind container or vm gets its options' defaults even when the file gives none. */
function fillEnclaveOptions(composition: CompositionDocument): CompositionDocument {
  for (const component of Object.values(composition.components)) {
    const enclave = component.enclave;
    if (enclave.kind === "container") enclave.container ??= containerOptionsSchema.parse({});
    if (enclave.kind === "vm") enclave.vm ??= vmOptionsSchema.parse({});
  }
  return composition;
}

/**
 * Validates composition text. `file` names it in messages and anchors relative
 * paths; files are checked only when `options.checkFiles` is set.
 */
export function parseComposition(text: string, file: string, options: CompositionOptions = {}): Composition {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = syntaxProblems(text, document, lines, file);
  if (syntax.length > 0) throw new CompositionError(syntax.sort(byPlace));

  const place = (findings: Finding[]) =>
    findings.map((finding) => locate(document, lines, file, finding)).sort(byPlace);
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // Only alias expansion can fail here (the library caps it against "billion laughs" files).
    const message = error instanceof Error ? error.message : String(error);
    throw new CompositionError([
      { file, line: 1, column: 1, path: "", message: `YAML: ${message}`, hint: "Use fewer aliases." },
    ]);
  }
  const parsed = compositionSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new CompositionError(place(findingsFromIssues(parsed.error.issues, compositionSchema)));

  const directory = dirname(resolve(file));
  const findings = semanticFindings(parsed.data);
  if (options.checkFiles === true)
    findings.push(...missingFileFindings(parsed.data, directory, options.stackSpecProblem));
  if (options.cgroupsMissing !== undefined) findings.push(...hostResourceFindings(parsed.data, options.cgroupsMissing));
  // Mesh files are read only once the rest is sound: their points fill in the meshes' sizes.
  if (options.checkFiles === true && findings.length === 0) findings.push(...meshFileFindings(parsed.data, directory));
  if (findings.length > 0) throw new CompositionError(place(findings));

  return { ...resolvePaths(fillEnclaveOptions(parsed.data), directory), source: resolve(file) };
}

/** Reads and validates a composition file; throws a CompositionError listing every problem. */
export function loadComposition(path: string, options: CompositionOptions = {}): Composition {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    const reason = code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error);
    throw new CompositionError([
      { file: path, line: 0, column: 0, path: "", message: `cannot read the composition file (${reason})` },
    ]);
  }
  return parseComposition(text, path, { ...options, checkFiles: options.checkFiles ?? true });
}
