// The partitioned heat case's numerics, apart from any coupling: each side
// given the exact interface data from u reproduces u to rounding (backward
// Euler, the 5-point Laplacian and the interface formulas are exact for it), the
// Python and C Dirichlet sides agree, and a serial-implicit waveform iteration
// written out in one process (test/examples/partitioned-heat/heat_check.c)
// converges to u in every window, below the tutorial's 1e-8.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../support/child-process.ts";
import { C_COMPILER, NUMPY, needs, numpyPython } from "../../support/requirements.ts";
import { compileC, HEAT_EXAMPLE, runJsonLines, scratchDirectory } from "../support.ts";

const CHECK = join(projectRoot, "test/examples/partitioned-heat/heat_check.c");
const NUMERICS = ["heat_common.c", "heat_dirichlet.c", "heat_neumann.c"].map((file) => join(HEAT_EXAMPLE, file));

function buildCheck(directory: string): string {
  return compileC(directory, "heat_check", [CHECK, ...NUMERICS], [HEAT_EXAMPLE]);
}

interface ExactCheck {
  dirichletError: number;
  neumannError: number;
  fluxDeviation: number;
  temperatureDeviation: number;
  dirichletValues: number[];
}

test("each C side given exact interface data reproduces u to rounding, on the tutorial's grid and a finer one", {
  ...needs(C_COMPILER),
}, (t) => {
  const check = buildCheck(scratchDirectory(t));
  for (const [nx, ny] of [
    [11, 11],
    [21, 31],
  ]) {
    const [result] = runJsonLines(check, ["exact", String(nx), String(ny), "100", "0.01"]) as ExactCheck[];
    assert.ok(result);
    assert.ok(result.dirichletError < 1e-13, `Dirichlet ${nx}×${ny}: relative L2 error ${result.dirichletError}`);
    assert.ok(result.neumannError < 1e-13, `Neumann ${nx}×${ny}: relative L2 error ${result.neumannError}`);
    // The one-sided flux divides differences of O(1) values by h: rounding grows like 1/h.
    assert.ok(result.fluxDeviation < 1e-12, `flux off by ${result.fluxDeviation}`);
    assert.ok(result.temperatureDeviation < 1e-13, `temperature off by ${result.temperatureDeviation}`);
  }
});

test("the Python Dirichlet side given exact interface data reproduces u, and agrees with the C Dirichlet side", {
  ...needs(C_COMPILER, NUMPY),
}, (t) => {
  const python = numpyPython() as string;
  const script = join(projectRoot, "test/examples/partitioned-heat/dirichlet_check.py");
  const [fromPython] = runJsonLines(python, [script, HEAT_EXAMPLE, "11", "11", "100", "0.01"]) as {
    error: number;
    fluxDeviation: number;
    values: number[];
  }[];
  assert.ok(fromPython);
  assert.ok(fromPython.error < 1e-13, `relative L2 error ${fromPython.error}`);
  assert.ok(fromPython.fluxDeviation < 1e-12, `flux off by ${fromPython.fluxDeviation}`);
  const [fromC] = runJsonLines(buildCheck(scratchDirectory(t)), ["exact", "11", "11", "100", "0.01"]) as ExactCheck[];
  assert.ok(fromC);
  assert.equal(fromPython.values.length, fromC.dirichletValues.length);
  let worst = 0;
  for (const [index, value] of fromPython.values.entries()) {
    worst = Math.max(worst, Math.abs(value - (fromC.dirichletValues[index] as number)) / Math.abs(value));
  }
  assert.ok(worst < 1e-13, `the Python and C Dirichlet sides differ by ${worst} relative`);
});

test("a serial-implicit waveform iteration in one process, constant relaxation 0.5, converges to u in every window", {
  ...needs(C_COMPILER),
}, (t) => {
  const check = buildCheck(scratchDirectory(t));
  // 10 windows of 10 substeps of 0.01, relative limit 1e-10 on both waveforms, as the tutorial.
  const windows = runJsonLines(check, ["coupled", "11", "11", "10", "10", "0.01", "0.5", "1e-10"]) as {
    window: number;
    iterations: number;
    dirichletError: number;
    neumannError: number;
  }[];
  assert.equal(windows.length, 10);
  for (const window of windows) {
    assert.ok(window.iterations > 1 && window.iterations < 100, `window ${window.window}: ${window.iterations}`);
    assert.ok(window.dirichletError < 1e-8, `window ${window.window}: Dirichlet error ${window.dirichletError}`);
    assert.ok(window.neumannError < 1e-8, `window ${window.window}: Neumann error ${window.neumannError}`);
  }
  // The same number of iterations in every window: the error equation does not depend on the window.
  assert.equal(new Set(windows.map((window) => window.iterations)).size, 1);
});
