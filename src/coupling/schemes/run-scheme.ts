// From a scheme's name to its loop.
import type { SchemeName } from "../plan.ts";
import { runMulti } from "./multi.ts";
import { runParallelExplicit } from "./parallel-explicit.ts";
import { runParallelImplicit } from "./parallel-implicit.ts";
import { runSerialExplicit } from "./serial-explicit.ts";
import { runSerialImplicit } from "./serial-implicit.ts";
import type { TimeRun } from "./time-run.ts";

const SCHEMES: Record<SchemeName, (run: TimeRun) => void> = {
  "serial-explicit": runSerialExplicit,
  "parallel-explicit": runParallelExplicit,
  "serial-implicit": runSerialImplicit,
  "parallel-implicit": runParallelImplicit,
  multi: runMulti,
};

export function runScheme(scheme: SchemeName, run: TimeRun): void {
  SCHEMES[scheme](run);
}
