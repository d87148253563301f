// The partitioned heat case coupled by the driver in physical time: the Python
// Dirichlet participant and the C Neumann participant (examples/partitioned-heat),
// serial-implicit, window 0.1 with ten substeps exchanged as waveforms, for
// each acceleration. In every window the coupling converges and the relative
// L2 error against u of both sides is below the tutorial's 1e-8; the
// iterations per window come from the run record. The quasi-Newton methods
// take no more iterations in later windows than in early ones (preCICE's
// IQN-ILS grows from 15 to 47 here); with room for past windows' columns
// (Conflux's IQN-ILS defaults, IQN-IMVJ) every window after the first takes at
// most 8. The first window cannot: it has no past, and IQN-ILS on a linear
// problem is GMRES, whose fewest iterations to 1e-10 from this start are 13
// (measured with every column kept and no filter; docs in the README).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { compileWithClient } from "../../clients/toolchain.ts";
import { C_COMPILER, NUMPY, needs, numpyPython } from "../../support/requirements.ts";
import { HEAT_EXAMPLE, scratchDirectory } from "../support.ts";
import { componentOf, convergenceOf, runExample } from "../time-runs.ts";

const options = needs(C_COMPILER, NUMPY);

const ERROR_LINE = /^window (\d+), t = ([0-9.]+): relative L2 error = (\S+)$/;

for (const [variant, file] of [
  ["constant 0.5", "conflux.yaml"],
  ["Aitken", "conflux.aitken.yaml"],
  ["IQN-ILS", "conflux.iqn-ils.yaml"],
  ["IQN-ILS, defaults", "conflux.iqn-ils-defaults.yaml"],
  ["IQN-IMVJ", "conflux.iqn-imvj.yaml"],
] as const) {
  test(`heat, ${variant}: converges in every window to u within 1e-8 on both sides`, options, async (t) => {
    const directory = scratchDirectory(t);
    const neumann = compileWithClient(directory, "neumann", [
      "examples/partitioned-heat/neumann.c",
      "examples/partitioned-heat/heat_common.c",
      "examples/partitioned-heat/heat_neumann.c",
    ]);
    const run = await runExample(join(HEAT_EXAMPLE, file), directory, (document) => {
      componentOf(document, "Dirichlet").command = [numpyPython(), join(HEAT_EXAMPLE, "dirichlet.py")];
      componentOf(document, "Neumann").command = [neumann];
    });
    assert.equal(run.outcome.failure, undefined, run.outcome.failure?.message);
    for (const side of ["Dirichlet", "Neumann"]) {
      const errors = run.lines
        .filter((line) => line.component === side)
        .map((line) => ERROR_LINE.exec(line.text))
        .filter((match) => match !== null)
        .map((match) => ({ window: Number(match[1]), error: Number(match[3]) }));
      assert.deepEqual(
        errors.map((entry) => entry.window),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        `${side} reported every window`,
      );
      for (const entry of errors) {
        assert.ok(entry.error < 1e-8, `${side}, window ${entry.window}: relative L2 error ${entry.error}`);
      }
    }
    const windows = convergenceOf(run.outcome);
    assert.equal(windows.length, 10, "the run record has the convergence of 10 windows");
    for (const window of windows) assert.ok(window.converged, `window ${window.window} converged`);
    const iterations = windows.map((window) => window.iterations);
    t.diagnostic(`${variant}: iterations per window ${iterations.join(",")}`);
    if (variant === "IQN-ILS") {
      // The tutorial's settings (10 columns): flat, no growth across windows.
      assert.ok(Math.max(...iterations) <= Math.min(...iterations) + 2, `IQN-ILS took ${iterations.join(",")}`);
      // 14 in most windows. On a machine installed later (newer Debian packages), the commit that had
      // taken at most 15 took 16 in one window: the QR filter's choices move with the last bit.
      assert.ok(Math.max(...iterations) <= 16, `IQN-ILS took ${iterations.join(",")}`);
    }
    if (variant === "IQN-ILS, defaults" || variant === "IQN-IMVJ") {
      // Issue 17's target at the same limit, in every window that has a past: at most 8.
      assert.ok((iterations[0] as number) <= 14, `${variant} took ${iterations.join(",")}`);
      for (const count of iterations.slice(1)) assert.ok(count <= 8, `${variant} took ${iterations.join(",")}`);
    }
  });
}
