// appB written in Python (examples/python-component/app_b.py, on the Python
// client) coupled with the TypeScript appA by the real driver, across
// processes: the result matches the single-process reference. Run with numpy
// when the system's python3 has it, and always without it (plain Python).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { NUMPY, needs, numpyPython, PYTHON, pythonCommand } from "../support/requirements.ts";
import { startProgram } from "./programs.ts";
import { assertCompleted, differencesFromReference, planWithCommand, runSeed } from "./seed-coupling.ts";
import { pythonEnvironment } from "./toolchain.ts";

const python = pythonCommand();
const APP_B = join(projectRoot, "examples/python-component/app_b.py");
const ITERATIONS = 500;

for (const numpy of [true, false]) {
  test(
    `appB in Python (${numpy ? "numpy" : "plain Python"}) coupled with appA in TypeScript, ${ITERATIONS} iterations, matches the reference`,
    numpy ? needs(NUMPY) : needs(PYTHON),
    async () => {
      const environment = pythonEnvironment(numpy ? {} : { CONFLUX_NO_NUMPY: "1" });
      const interpreter = (numpy ? numpyPython() : python) as string;
      const plan = planWithCommand(ITERATIONS, "appB", [interpreter, APP_B], environment);
      const run = await runSeed(plan, 100);
      assertCompleted(run, ITERATIONS, 100);
      for (const [field, difference] of differencesFromReference(run, ITERATIONS)) {
        assert.ok(difference <= 1e-12, `${field} differs from the reference by ${difference}`);
      }
    },
  );
}

test(
  "a Python component started without CONFLUX_RUN_DIR exits non-zero and names the variable",
  needs(PYTHON),
  async (t) => {
    const program = startProgram(t, [python as string, APP_B], {
      ...pythonEnvironment(),
      CONFLUX_COMPONENT_NAME: "appB",
      CONFLUX_RUN_DIR: undefined,
    });
    assert.equal((await program.exited).code, 1);
    assert.match(program.stderr(), /CONFLUX_RUN_DIR is not set: start this component through `conflux run`/);
  },
);

test(
  "a Python component given a driver liveness it does not know names the variable and the values it takes",
  needs(PYTHON),
  async (t) => {
    const program = startProgram(t, [python as string, APP_B], {
      ...pythonEnvironment(),
      CONFLUX_COMPONENT_NAME: "appB",
      CONFLUX_RUN_DIR: "/nonexistent-run",
      CONFLUX_DRIVER_LIVENESS: "namespace",
    });
    assert.equal((await program.exited).code, 1);
    assert.match(program.stderr(), /CONFLUX_DRIVER_LIVENESS is "namespace"; it must be "pid" or "enclave"/);
  },
);
