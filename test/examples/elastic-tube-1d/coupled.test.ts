// The elastic tube coupled by the driver in physical time: the C fluid and the
// Python wall (examples/elastic-tube-1d), 100 windows of 0.01.
// - serial-explicit diverges, and the run must end with an error naming the
//   values that stopped being finite (not complete with NaN);
// - serial-implicit with the tutorial's IQN-ILS converges in every window
//   within its 40 iterations, and both components' output agrees through
//   compare.py with the tightly converged reference (and with preCICE's run of
//   the same solver where preCICE is installed, as the other tests show);
// - serial-implicit with IQN-IMVJ, restarted every 2 windows, converges in
//   every window;
// - serial-implicit with Aitken runs to the end, converging in nearly every
//   window (Aitken can stagnate on this case, and does under preCICE; see the
//   example's README).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { compileWithClient } from "../../clients/toolchain.ts";
import { C_COMPILER, NUMPY, needs, numpyPython } from "../../support/requirements.ts";
import { scratchDirectory, TUBE_EXAMPLE } from "../support.ts";
import { componentOf, convergenceOf, type ExampleRun, runExample } from "../time-runs.ts";
import { buildTubeCheck, compareTube, tubeReference } from "./tube-check.ts";

const options = needs(C_COMPILER, NUMPY);

async function runTube(
  directory: string,
  file: string,
): Promise<{ run: ExampleRun; fluidOutput: string; solidOutput: string }> {
  const fluid = compileWithClient(directory, "fluid", [
    "examples/elastic-tube-1d/fluid.c",
    "examples/elastic-tube-1d/tube.c",
  ]);
  const fluidOutput = join(directory, "fluid.csv");
  const solidOutput = join(directory, "solid.csv");
  const run = await runExample(join(TUBE_EXAMPLE, file), directory, (document) => {
    const fluidComponent = componentOf(document, "Fluid");
    fluidComponent.command = [fluid];
    fluidComponent.args = { ...fluidComponent.args, output: fluidOutput };
    const solidComponent = componentOf(document, "Solid");
    solidComponent.command = [numpyPython(), join(TUBE_EXAMPLE, "solid.py")];
    solidComponent.args = { ...solidComponent.args, output: solidOutput };
  });
  return { run, fluidOutput, solidOutput };
}

test("tube, serial-explicit: diverges, and the run ends with an error naming the values that are not finite", {
  ...options,
}, async (t) => {
  const { run } = await runTube(scratchDirectory(t), "conflux.explicit.yaml");
  assert.ok(run.outcome.failure, "the run failed");
  assert.equal(run.outcome.record.status, "failed");
  const message = run.outcome.failure.message;
  assert.match(message, /finite/i, message);
  assert.match(message, /pressure|cross_section/, message);
  t.diagnostic(`explicit: ${message.split("\n")[0]}`);
});

test("tube, serial-implicit with IQN-ILS: converges in every window and agrees with the reference", {
  ...options,
}, async (t) => {
  const directory = scratchDirectory(t);
  const { run, fluidOutput, solidOutput } = await runTube(directory, "conflux.yaml");
  assert.equal(run.outcome.failure, undefined, run.outcome.failure?.message);
  const windows = convergenceOf(run.outcome);
  assert.equal(windows.length, 100);
  for (const window of windows) {
    assert.ok(window.converged && window.iterations <= 40, `window ${window.window}: ${window.iterations}`);
  }
  const iterations = windows.map((window) => window.iterations);
  t.diagnostic(`IQN-ILS: ${iterations.join(",")} (${iterations.reduce((a, b) => a + b, 0)} in all)`);
  const reference = tubeReference(buildTubeCheck(directory), directory);
  for (const output of [fluidOutput, solidOutput]) {
    const report = compareTube(numpyPython() as string, output, reference);
    assert.equal(report.windows.length, 100);
    for (const [field, entry] of Object.entries(report.fields)) {
      if (field === "velocity") continue; // the reference holds pressure and area
      assert.ok(entry.maxRelative < 1e-3, `${output}: ${field} differs by ${entry.maxRelative} relative`);
    }
  }
});

test(
  "tube, serial-implicit with IQN-IMVJ (restarted every 2 windows): converges in every window",
  options,
  async (t) => {
    const { run } = await runTube(scratchDirectory(t), "conflux.iqn-imvj.yaml");
    assert.equal(run.outcome.failure, undefined, run.outcome.failure?.message);
    const windows = convergenceOf(run.outcome);
    assert.equal(windows.length, 100);
    for (const window of windows) {
      assert.ok(window.converged && window.iterations <= 40, `window ${window.window}: ${window.iterations}`);
    }
    const iterations = windows.map((window) => window.iterations);
    t.diagnostic(`IQN-IMVJ: ${iterations.join(",")} (${iterations.reduce((a, b) => a + b, 0)} in all)`);
  },
);

test("tube, serial-implicit with Aitken: runs to the end, converging in nearly every window", options, async (t) => {
  const { run } = await runTube(scratchDirectory(t), "conflux.aitken.yaml");
  assert.equal(run.outcome.failure, undefined, run.outcome.failure?.message);
  const windows = convergenceOf(run.outcome);
  assert.equal(windows.length, 100);
  const stalled = windows.filter((window) => !window.converged).length;
  // Under preCICE 3.4.1 the same Aitken converges in only 35 windows and its values go non-finite (README.md);
  // the in-process check with the same rules converges in 99.
  assert.ok(stalled <= 10, `Aitken did not converge in ${stalled} windows`);
  const iterations = windows.map((window) => window.iterations);
  t.diagnostic(
    `Aitken: ${iterations.join(",")} (${iterations.reduce((a, b) => a + b, 0)} in all), ${stalled} not converged`,
  );
});
