// The two components of the command-line tests of runs in time: the driver's
// test component (test/coupling/fixtures/time-app.ts) as A and B in processes,
// A stepping 0.05 and B 0.025, each with a mesh of four points, x carried A → B
// and y carried B → A. A test adds its coupling and results sections.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

const APP = fileURLToPath(new URL("../coupling/fixtures/time-app.ts", import.meta.url));

/** A directory under the system's temporary directory, removed when `t` ends. */
export function scratchDirectory(t: TestContext, purpose: string): string {
  const directory = mkdtempSync(join(tmpdir(), `conflux-${purpose}-`));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** The composition's start, up to its transfers; `yDegree` is the B → A transfer's waveform degree. */
export function timePairComponents(yDegree?: number): string {
  const degree = yDegree === undefined ? "" : `, waveform_degree: ${yDegree}`;
  return `version: 1
name: time-pair
components:
  A:
    module: ${APP}
    args: { role: a, dt: 0.05 }
    meshes: { m: { dimension: 1, points: 4, fields: [x, y] } }
  B:
    module: ${APP}
    args: { role: b, dt: 0.025 }
    meshes: { m: { dimension: 1, points: 4, fields: [x, y] } }
transfers:
  - { from: A.m.x, to: B.m.x }
  - { from: B.m.y, to: A.m.y${degree} }
`;
}
