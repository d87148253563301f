// The stacks a composition names by their spec files (`stack:
// ./numpy1.stack.yaml`), built before the run when the store lacks them, as
// `docker compose up` builds its images: one at a time, each once, with what
// the build does passed to `onLine`. A spec that cannot be read is a problem
// of the composition: the parse that starts a run names it at its key, with
// line and column, as validate does; one that changes after that parse is
// named here, by its key alone.

import type { Composition } from "../compose/load.ts";
import { stackSpecOf } from "../compose/paths.ts";
import { CompositionError, type Problem } from "../compose/problem.ts";
import { buildStack } from "../stack/stack-build.ts";
import { type SpecStack, stackOfSpec } from "../stack/stack-of-spec.ts";
import { StackSpecError } from "../stack/stack-spec.ts";

export interface StackBuildSink {
  /** A build of stack `name` starts. */
  start(name: string, spec: string): void;
  line(text: string): void;
  /** It ended (or was not needed: `built` false). */
  done(name: string, built: boolean): void;
}

/** Each spec-named stack of the composition, by component; a CompositionError for every spec that cannot be read. */
export function specStacks(composition: Composition): Map<string, SpecStack> {
  const stacks = new Map<string, SpecStack>();
  const problems: Problem[] = [];
  for (const [name, component] of Object.entries(composition.components)) {
    const spec = stackSpecOf(component);
    if (spec === undefined) continue;
    try {
      stacks.set(name, stackOfSpec(spec));
    } catch (error) {
      if (!(error instanceof StackSpecError)) throw error;
      problems.push({
        file: composition.source,
        line: 0,
        column: 0,
        path: `components.${name}.enclave.container.stack`,
        message: error.message,
      });
    }
  }
  if (problems.length > 0) throw new CompositionError(problems);
  return stacks;
}

/** Builds every spec-named stack the store lacks, each once; returns them by component, for the plan. */
export async function buildMissingStacks(
  composition: Composition,
  sink?: StackBuildSink,
): Promise<Map<string, SpecStack>> {
  const stacks = specStacks(composition);
  const seen = new Set<string>();
  for (const stack of stacks.values()) {
    if (stack.stored || seen.has(stack.hash)) continue;
    seen.add(stack.hash);
    sink?.start(stack.name, stack.source);
    const result = await buildStack(stack.source, sink === undefined ? {} : { onLine: (line) => sink.line(line) });
    sink?.done(stack.name, !result.cached);
  }
  return stacks;
}
