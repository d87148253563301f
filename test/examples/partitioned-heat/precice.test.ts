// The partitioned heat case through preCICE (src/bench/precice-heat): the same
// numerics as the Conflux participants, built against the installed preCICE at
// test time and run for each acceleration. Skipped, with the reason, where
// preCICE or its runtime libraries are not installed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { measurePreciceHeat } from "../../../src/bench/precice-heat/precice-heat.ts";
import { C_COMPILER, needs, PRECICE, skipNow } from "../../support/requirements.ts";

test("under preCICE the same solver converges to u in every window with constant, Aitken and IQN-ILS", {
  ...needs(C_COMPILER, PRECICE),
}, async (t) => {
  const result = await measurePreciceHeat();
  if (result.skipped !== undefined) {
    skipNow(t, result.skipped);
    return;
  }
  const byName = new Map(result.runs.map((run) => [run.acceleration, run]));
  for (const run of result.runs) {
    assert.equal(run.iterations.length, 10, `${run.acceleration}: 10 windows`);
    assert.ok(run.maxError < 1e-8, `${run.acceleration}: relative L2 error ${run.maxError}`);
    for (const count of run.iterations) assert.ok(count > 1 && count < 100, `${run.acceleration}: ${count} iterations`);
    assert.ok(run.msPerIteration > 0 && Number.isFinite(run.msPerIteration));
  }
  const constant = byName.get("constant");
  const aitken = byName.get("aitken");
  assert.ok(constant && aitken && byName.get("iqn-ils"));
  // The error equation is the same in every window, so relaxation takes the same count in each.
  assert.equal(new Set(constant.iterations).size, 1, `constant: ${constant.iterations.join(",")}`);
  assert.equal(new Set(aitken.iterations).size, 1, `aitken: ${aitken.iterations.join(",")}`);
  assert.ok((aitken.iterations[0] as number) < (constant.iterations[0] as number));
});
