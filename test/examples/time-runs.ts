// Running the examples' compositions through the real driver, in physical
// time: a run of an example's composition rewritten to use
// programs built into a scratch directory, with every line the components
// print collected.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { type RunOutcome, runComposition } from "../../src/runner/run-composition.ts";

export interface ComponentLine {
  component: string;
  text: string;
}

export interface ExampleRun {
  outcome: RunOutcome;
  lines: ComponentLine[];
}

/** The part of a run record issue 17 adds (spec §5), read loosely until the record's type has it. */
export interface WindowConvergence {
  window: number;
  iterations: number;
  converged: boolean;
}

export function convergenceOf(outcome: RunOutcome): WindowConvergence[] {
  const record = outcome.record as unknown as { convergence?: WindowConvergence[] };
  return record.convergence ?? [];
}

/** The parts of a composition document the tests change. */
export interface ExampleDocument {
  components: Record<string, { command?: unknown[]; args?: Record<string, unknown>; [key: string]: unknown }>;
  coupling: Record<string, unknown>;
  results?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A component of the document, which must be there. */
export function componentOf(document: ExampleDocument, name: string): ExampleDocument["components"][string] {
  const component = document.components[name];
  if (component === undefined) throw new Error(`the composition has no component ${name}`);
  return component;
}

/**
 * Runs `example` (a composition file) with its document changed by `edit`,
 * written into `directory` (its results go there too).
 */
export async function runExample(
  example: string,
  directory: string,
  edit: (document: ExampleDocument) => void,
): Promise<ExampleRun> {
  const document = parse(readFileSync(example, "utf8")) as ExampleDocument;
  edit(document);
  document.results = { ...(document.results ?? {}), directory: join(directory, "runs") };
  const path = join(directory, "conflux.yaml");
  writeFileSync(path, stringify(document));
  const lines: ComponentLine[] = [];
  const sink = {
    write(text: string) {
      for (const line of text.split("\n")) {
        const match = /^\[([^\]]+)\] (.*)$/.exec(line);
        if (match) lines.push({ component: match[1] as string, text: match[2] as string });
      }
      return true;
    },
  };
  const outcome = await runComposition(path, { output: sink, resultsDirectory: join(directory, "runs") });
  return { outcome, lines };
}
