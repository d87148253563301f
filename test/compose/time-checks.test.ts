// Every misuse of the keys of runs in time (issue 17) is one error at its line
// and column, with a hint: implicit without convergence, explicit with
// acceleration, a waveform degree above 3, window and iterations together,
// first-participant with a parallel scheme, a measured or accelerated field
// that is no transfer's, a field both from and to, and the rest the docs list.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseComposition } from "../../src/compose/index.ts";
import { problemsOf } from "./compositions.ts";

/** A valid serial-implicit heat-like pair; line numbers below are relied on. */
const TIMED = `version: 1
name: heat
components:
  D:
    command: [./d]
    meshes: { i: { dimension: 2, points: 11, fields: [T, flux] } }
  N:
    command: [./n]
    meshes: { i: { dimension: 2, points: 11, fields: [T, flux] } }
transfers:
  - from: D.i.flux
    to: N.i.flux
    waveform_degree: 1
  - from: N.i.T
    to: D.i.T
coupling:
  scheme: serial-implicit
  order: [D, N]
  window: 0.1
  max_time: 1.0
  max_iterations: 50
  convergence:
    - { field: N.i.T, measure: relative, limit: 1e-10 }
  acceleration:
    method: iqn-ils
    fields: [D.i.T]
    max_columns: 10
    filter: { type: qr2, limit: 1e-3 }
`;

test("the valid composition in time parses, with the implicit keys' defaults left to the plan", () => {
  const composition = parseComposition(TIMED, "conflux.yaml");
  assert.equal(composition.coupling.window, 0.1);
  assert.equal(composition.coupling.acceleration?.method, "iqn-ils");
  assert.equal(composition.coupling.min_iterations, undefined);
});

test("an implicit scheme without a convergence measure", () => {
  const text = TIMED.replace("  convergence:\n    - { field: N.i.T, measure: relative, limit: 1e-10 }\n", "");
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:17:11: coupling.scheme: the implicit scheme serial-implicit has no convergence measure, so no window could ever converge. Add convergence: [{ field: component.mesh.field, measure: relative, limit: 1e-6 }].",
  ]);
});

test("an explicit scheme with acceleration, convergence or iteration limits", () => {
  const text = TIMED.replace("scheme: serial-implicit", "scheme: serial-explicit");
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:21:3: coupling.max_iterations: max_iterations applies only to implicit schemes; serial-explicit takes each window once. Use serial-implicit, parallel-implicit or multi, or remove it.",
    "conflux.yaml:22:3: coupling.convergence: convergence applies only to implicit schemes; serial-explicit takes each window once. Use serial-implicit, parallel-implicit or multi, or remove it.",
    "conflux.yaml:24:3: coupling.acceleration: acceleration applies only to implicit schemes; serial-explicit takes each window once. Use serial-implicit, parallel-implicit or multi, or remove it.",
  ]);
});

test("a waveform degree above 3 (or below 0)", () => {
  assert.deepEqual(problemsOf(TIMED.replace("waveform_degree: 1", "waveform_degree: 4")), [
    "conflux.yaml:13:22: transfers[0].waveform_degree: expected an integer ≤ 3, got 4.",
  ]);
  assert.equal(problemsOf(TIMED.replace("waveform_degree: 1", "waveform_degree: -1")).length, 1);
});

test("window and iterations together, and neither", () => {
  assert.deepEqual(problemsOf(TIMED.replace("  window: 0.1\n", "  window: 0.1\n  iterations: 5\n")), [
    "conflux.yaml:20:3: coupling.iterations: window and iterations together: a run is either in iterations or in physical time. Remove iterations for a run in time (with max_time or windows), or remove window for an iteration run.",
  ]);
  const neither = TIMED.replace("  window: 0.1\n", "").replace("  max_time: 1.0\n", "");
  assert.deepEqual(problemsOf(neither), [
    "conflux.yaml:16:1: coupling.window: the coupling has neither iterations nor window. Give iterations: N (an iteration run), or window: SIZE with max_time: T or windows: N (a run in physical time).",
  ]);
});

test("max_time and windows together, or a run in time without its end", () => {
  assert.deepEqual(problemsOf(TIMED.replace("  max_time: 1.0\n", "  max_time: 1.0\n  windows: 10\n")), [
    "conflux.yaml:21:3: coupling.windows: max_time and windows together: give exactly one of them. Remove one of them.",
  ]);
  assert.deepEqual(problemsOf(TIMED.replace("  max_time: 1.0\n", "")), [
    "conflux.yaml:16:1: coupling.max_time: a run in physical time needs its end: max_time or windows. Add max_time: T (the end time) or windows: N (a number of windows).",
  ]);
});

test("keys of runs in time in an iteration run", () => {
  const text = TIMED.replace("  window: 0.1\n  max_time: 1.0\n", "  iterations: 5\n").replace(
    "scheme: serial-implicit",
    "scheme: serial-explicit",
  );
  const problems = problemsOf(text);
  assert.ok(
    problems.includes(
      "conflux.yaml:13:5: transfers[0].waveform_degree: waveform_degree applies only to runs in physical time; this coupling runs iterations. Remove it, or couple in time (coupling.window).",
    ),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((line) =>
      line.startsWith(
        "conflux.yaml:20:3: coupling.max_iterations: max_iterations applies only to runs in physical time",
      ),
    ),
  );
  assert.deepEqual(
    problemsOf(TIMED.replace("  window: 0.1\n  max_time: 1.0\n", "  iterations: 5\n")).filter((line) =>
      line.includes("coupling.scheme"),
    ),
    [
      "conflux.yaml:17:11: coupling.scheme: scheme serial-implicit couples in physical time; an iteration run is serial-explicit. Give window (and max_time or windows) instead of iterations.",
    ],
  );
});

test("first-participant with a parallel scheme", () => {
  const text = TIMED.replace("window: 0.1", "window: first-participant").replace(
    "scheme: serial-implicit",
    "scheme: parallel-implicit",
  );
  assert.deepEqual(problemsOf(text), [
    "conflux.yaml:19:11: coupling.window: window: first-participant needs a serial scheme (the first component's step sets the window); this one is parallel-implicit. Give a window size, or use serial-explicit or serial-implicit.",
  ]);
});

test("a measured or accelerated field that is not a transfer's field", () => {
  const measured = TIMED.replace("{ field: N.i.T, measure", "{ field: N.i.flux2, measure");
  assert.equal(problemsOf(measured)[0]?.startsWith("conflux.yaml:23:16: coupling.convergence[0].field:"), true);
  const unrelated = TIMED.replace(
    "meshes: { i: { dimension: 2, points: 11, fields: [T, flux] } }\ntransfers:",
    "meshes: { i: { dimension: 2, points: 11, fields: [T, flux, q] } }\ntransfers:",
  ).replace("{ field: N.i.T, measure", "{ field: N.i.q, measure");
  assert.deepEqual(problemsOf(unrelated), [
    "conflux.yaml:23:16: coupling.convergence[0].field: the measured field N.i.q is not a field of any transfer. Name the from or the to of a transfer: D.i.flux, N.i.flux, N.i.T, D.i.T.",
  ]);
  assert.deepEqual(problemsOf(TIMED.replace("fields: [D.i.T]", "fields: [D.i.q]")).length, 1);
});

test("in a serial scheme, accelerating what the first component does not read", () => {
  assert.deepEqual(problemsOf(TIMED.replace("fields: [D.i.T]", "fields: [N.i.flux]")), [
    "conflux.yaml:26:14: coupling.acceleration.fields[0]: a serial scheme accelerates what its first component (D) reads; N.i.flux is read by N, whose input is mapped afresh before it runs. Accelerate the target of a transfer into D.",
  ]);
  // The from of the transfer names its data as well.
  assert.deepEqual(problemsOf(TIMED.replace("fields: [D.i.T]", "fields: [N.i.T]")), []);
});

test("a field both from and to", () => {
  const text = TIMED.replace(
    "  - from: N.i.T\n    to: D.i.T\n",
    "  - from: N.i.T\n    to: D.i.T\n  - from: D.i.T\n    to: N.i.flux\n",
  );
  assert.deepEqual(
    problemsOf(text).filter((line) => line.includes("both the from")),
    [
      "conflux.yaml:15:9: transfers[1].to: D.i.T is both the from of a transfer and the to of this one; in a run in time a field is written by its component or by the driver, not both. Carry the data into another field of the mesh.",
    ],
  );
});

test("acceleration options of another method, and constant relaxation without its factor", () => {
  assert.deepEqual(problemsOf(TIMED.replace("method: iqn-ils", "method: aitken")), [
    "conflux.yaml:27:5: coupling.acceleration.max_columns: max_columns applies only to methods iqn-ils, iqn-imvj; this acceleration's method is aitken. Remove max_columns, or set method to iqn-ils or iqn-imvj.",
    "conflux.yaml:28:5: coupling.acceleration.filter: filter applies only to methods iqn-ils, iqn-imvj; this acceleration's method is aitken. Remove filter, or set method to iqn-ils or iqn-imvj.",
  ]);
  const constant = TIMED.replace("method: iqn-ils", "method: constant")
    .replace("    max_columns: 10\n", "")
    .replace("    filter: { type: qr2, limit: 1e-3 }\n", "");
  assert.deepEqual(problemsOf(constant), [
    "conflux.yaml:24:3: coupling.acceleration.relaxation: constant relaxation needs its factor: relaxation. Add relaxation: 0.5 (a factor in (0, 1]).",
  ]);
  assert.deepEqual(problemsOf(`${TIMED}    restart: { mode: rs-svd }\n`), [
    "conflux.yaml:29:5: coupling.acceleration.restart: restart applies only to method iqn-imvj; this acceleration's method is iqn-ils. Remove restart, or set method to iqn-imvj.",
  ]);
  assert.deepEqual(problemsOf(`${TIMED}    preconditioner: constant\n`), [
    "conflux.yaml:24:3: coupling.acceleration.scaling: preconditioner constant needs one scaling factor per accelerated field (1); it has 0. Give scaling: [a factor per field, in the order of fields].",
  ]);
});

test("multi needs three components, and min_iterations at most max_iterations", () => {
  assert.deepEqual(
    problemsOf(TIMED.replace("scheme: serial-implicit", "scheme: multi")).filter((line) =>
      line.includes("multi couples"),
    ),
    [
      "conflux.yaml:17:11: coupling.scheme: multi couples three or more components; there are 2. Use parallel-implicit (or serial-implicit) for two.",
    ],
  );
  assert.deepEqual(
    problemsOf(TIMED.replace("  max_iterations: 50\n", "  max_iterations: 50\n  min_iterations: 60\n")),
    [
      "conflux.yaml:22:19: coupling.min_iterations: min_iterations 60 is more than max_iterations 50. Make min_iterations at most max_iterations.",
    ],
  );
});
