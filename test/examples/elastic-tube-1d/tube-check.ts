// Builds test/examples/elastic-tube-1d/tube_check.c (the tube's numerics,
// coupled in one process) into a test's scratch directory, and the reference
// the driver's and preCICE's runs are compared with: the coupled problem
// solved to a tighter limit (1e-7) than the tutorial's 1e-5, by constant
// under-relaxation, which is slow but does not stagnate.
import { join } from "node:path";
import { projectRoot } from "../../support/child-process.ts";
import { compileC, runJsonLines, TUBE_EXAMPLE } from "../support.ts";

export function buildTubeCheck(directory: string): string {
  return compileC(
    directory,
    "tube_check",
    [join(projectRoot, "test/examples/elastic-tube-1d/tube_check.c"), join(TUBE_EXAMPLE, "tube.c")],
    [TUBE_EXAMPLE],
  );
}

export interface ImplicitWindow {
  window: number;
  iterations: number;
  newton: number;
  middlePressure: number;
  middleArea: number;
}

/** The tightly converged reference, written to `directory`/reference.csv as the example's solid writes. */
export function tubeReference(check: string, directory: string): string {
  const output = join(directory, "reference.csv");
  runJsonLines(check, ["implicit", "100", "100", "0.01", "constant", "0.01", "1e-7", "5000", output]);
  return output;
}

export interface Comparison {
  windows: number[];
  fields: Record<string, { maxAbsolute: number; maxRelative: number; maxRelativeAt: { window: number; x: number } }>;
}

/** examples/elastic-tube-1d/compare.py OURS REFERENCE --json (it needs only the standard library). */
export function compareTube(python: string, ours: string, reference: string): Comparison {
  const [report] = runJsonLines(python, [join(TUBE_EXAMPLE, "compare.py"), ours, reference, "--json"]);
  return report as Comparison;
}
