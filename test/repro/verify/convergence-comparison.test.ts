// The comparison of convergence histories: iterations per window exactly,
// residuals within the field's declared tolerance (relative residuals compared
// absolutely under a relative tolerance), bitwise without one.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { WindowConvergenceEntry } from "../../../src/record/run-record.ts";
import { compareConvergence } from "../../../src/repro/verify/convergence-comparison.ts";

function window(index: number, residuals: [number, number][], converged = true): WindowConvergenceEntry {
  return {
    window: index,
    start: index * 0.1,
    size: 0.1,
    iterations: residuals.length,
    converged,
    residuals: { "N.i.T": residuals.map(([absolute, relative]) => ({ absolute, relative })) },
    acceleration: "iqn-ils",
  };
}

const RECORDED = [
  window(0, [
    [1, 0.1],
    [1e-6, 1e-7],
  ]),
  window(1, [
    [2, 0.2],
    [3e-9, 3e-10],
  ]),
];

test("the same history matches, bitwise or within a tolerance", () => {
  assert.ok(compareConvergence(RECORDED, structuredClone(RECORDED), new Map()).matches);
  const nudged = structuredClone(RECORDED);
  (nudged[1]?.residuals["N.i.T"]?.[1] as { relative: number }).relative = 3e-10 + 1e-14;
  assert.equal(compareConvergence(RECORDED, nudged, new Map()).matches, false, "bitwise without a tolerance");
  const within = compareConvergence(RECORDED, nudged, new Map([["N.i.T", { relative: 1e-12 }]]));
  assert.ok(within.matches, within.problems.join("; "));
  assert.equal(within.residualsCompared, 4);
});

test("a window with other iterations, or a residual beyond the tolerance, differs and says where", () => {
  const longer = [
    RECORDED[0] as WindowConvergenceEntry,
    window(1, [
      [2, 0.2],
      [1e-5, 1e-6],
      [3e-9, 3e-10],
    ]),
  ];
  const iterations = compareConvergence(RECORDED, longer, new Map());
  assert.equal(iterations.matches, false);
  assert.equal(iterations.differingWindows, 1);
  assert.deepEqual(iterations.problems, ["window 1: 2 iterations recorded, 3 in the replay"]);
  const off = structuredClone(RECORDED);
  (off[0]?.residuals["N.i.T"]?.[0] as { absolute: number }).absolute = 1.5;
  const beyond = compareConvergence(RECORDED, off, new Map([["N.i.T", { absolute: 0.1 }]]));
  assert.equal(beyond.residualsDiffering, 1);
  assert.match(
    beyond.problems[0] ?? "",
    /^window 0, iteration 0: N\.i\.T residual 1 \(relative 0\.1\) recorded, 1\.5 .* beyond absolute 0\.1$/,
  );
  assert.equal(compareConvergence(RECORDED, RECORDED.slice(0, 1), new Map()).matches, false, "a window missing");
});
