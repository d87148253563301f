// The examples' components as the client tests run them against a driver that
// is the test itself: appA in C (built plain or under the sanitizers) and appB
// in Python without numpy, each with what it needs to run here.
import { join } from "node:path";
import type { TestContext } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { type Gate, needs, PYTHON } from "../support/requirements.ts";
import { type CBuild, pythonCommand, pythonEnvironment, scratchDirectory } from "./toolchain.ts";

export interface ExampleComponent {
  /** How the test's name says it. */
  language: string;
  name: string;
  options: Gate;
  command(t: TestContext): string[];
  environment: Record<string, string>;
}

export const APP_B = join(projectRoot, "examples/python-component/app_b.py");

/** appA (examples/c-component/app_a.c) built with `build`. */
export function cAppA(build: CBuild): ExampleComponent {
  return {
    language: build.name === "plain build" ? "C" : `C (${build.name})`,
    name: "appA",
    options: build.options,
    command: (t) => {
      build.required();
      return [build.compile(scratchDirectory(t), "app_a", ["examples/c-component/app_a.c"])];
    },
    environment: build.environment,
  };
}

/** appB (examples/python-component/app_b.py) without numpy, with `extra` in its environment. */
export function pythonAppB(language = "Python", extra: Record<string, string> = {}): ExampleComponent {
  const python = pythonCommand();
  return {
    language,
    name: "appB",
    options: needs(PYTHON),
    command: () => [python as string, APP_B],
    environment: pythonEnvironment({ CONFLUX_NO_NUMPY: "1", ...extra }),
  };
}
