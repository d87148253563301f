// Composition texts shared by the compose tests, and a way to read back the
// problems a text has, formatted as `conflux validate` prints them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { CompositionError, formatProblem, parseComposition } from "../../src/compose/index.ts";

/** A small valid composition; line numbers below are relied on by tests. */
export const VALID = `version: 1
name: pair
components:
  appA:
    enclave: { kind: process }
    module: ./app-a.ts
    meshes:
      surface: { dimension: 3, points: 100, fields: [temperature, flux] }
  appB:
    enclave: { kind: thread }
    module: ./app-b.ts
    meshes:
      surface: { dimension: 3, points: 120, fields: [temperature, flux] }
transfers:
  - from: appA.surface.temperature
    to: appB.surface.temperature
  - from: appB.surface.flux
    to: appA.surface.flux
    operator: { method: rbf-pu, kernel: wendland-c2, radius: 0.3 }
coupling:
  iterations: 5
  order: [appA, appB]
`;

/** The formatted problems of a composition text, or [] when it is valid. */
export function problemsOf(text: string): string[] {
  try {
    parseComposition(text, "conflux.yaml");
    return [];
  } catch (error) {
    if (!(error instanceof CompositionError)) throw error;
    return error.problems.map(formatProblem);
  }
}

/** A temporary directory holding the given files, removed when the test ends. */
export function scratchDirectory(t: TestContext, files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-compose-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), content);
  return directory;
}
