// The asynchronous couplings' cross-references, as `conflux validate` prints them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseComposition } from "../../src/compose/index.ts";
import { problemsOf } from "./compositions.ts";

/** An MD code publishing its atoms, read by an analysis that runs free; line numbers below are relied on. */
const ASYNCHRONOUS = `version: 1
name: md-analysis
components:
  md:
    command: [./md]
    meshes:
      atoms: { dimension: 3, points: 100, layout: interleaved, fields: [id, type] }
      probe: { dimension: 3, points: 10, fields: [u] }
  analysis:
    command: [./analysis]
    meshes:
      probe: { dimension: 3, points: 10, fields: [u] }
asynchronous:
  - from: md.atoms
    to: analysis.atoms
coupling:
  iterations: 5
  order: [md]
`;

test("asynchronous: a reader left out of the order runs free, and the plan names what it reads", () => {
  assert.deepEqual(problemsOf(ASYNCHRONOUS), []);
  const composition = parseComposition(ASYNCHRONOUS, "conflux.yaml");
  assert.deepEqual(composition.asynchronous, [{ from: "md.atoms", to: "analysis.atoms" }]);
});

test("asynchronous: ends that do not exist, a component reading its own mesh, a name read twice", () => {
  const text = ASYNCHRONOUS.replace(
    "  - from: md.atoms\n    to: analysis.atoms\n",
    "  - from: md.atom\n    to: analysis.atoms\n  - from: mx.atoms\n    to: md.atoms\n  - from: md.atoms\n    to: analysis.atoms\n",
  );
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:14:11: asynchronous[0].from: component "md" has no mesh "atom". Did you mean "atoms"? Its meshes are atoms, probe; declare the mesh it publishes under its meshes.',
    'conflux.yaml:16:11: asynchronous[1].from: component "mx" does not exist. Did you mean "md"? Components are md, analysis.',
    'conflux.yaml:19:9: asynchronous[2].to: "analysis.atoms" already reads asynchronous[0]. A component reads each snapshot under a name of its own: choose another name than "atoms".',
  ]);
  const own = ASYNCHRONOUS.replace("to: analysis.atoms", "to: md.copy").replace("order: [md]", "order: [md, analysis]");
  assert.deepEqual(problemsOf(own), [
    'conflux.yaml:15:9: asynchronous[0].to: a snapshot is read by another component; "md" would read its own. Point to at the component that analyses it.',
  ]);
});

test("asynchronous: a published mesh is in no transfer or output, and a free component in no transfer", () => {
  const text = ASYNCHRONOUS.replace(
    "asynchronous:",
    "transfers:\n  - { from: md.atoms.id, to: analysis.probe.u }\nresults:\n  outputs: [{ field: md.atoms.type }]\nasynchronous:",
  );
  assert.deepEqual(problemsOf(text), [
    'conflux.yaml:14:13: transfers[0].from: mesh "md.atoms" is published as a snapshot (asynchronous), which no transfer maps. Share another mesh for the transfer, or read the snapshot in the other component.',
    'conflux.yaml:14:30: transfers[0].to: component "analysis" is left out of coupling.order, so it runs free and takes part in no transfer. Add "analysis" to coupling.order, or remove the transfer.',
    'conflux.yaml:16:22: results.outputs[0].field: mesh "md.atoms" is published as a snapshot (asynchronous): the driver keeps no field of it. Write the result out from the component that reads the snapshot.',
  ]);
});

test("asynchronous: a component left out of the order must read snapshots; time runs have none", () => {
  const stray = ASYNCHRONOUS.replace("asynchronous:\n  - from: md.atoms\n    to: analysis.atoms\n", "");
  assert.deepEqual(problemsOf(stray), [
    "conflux.yaml:15:10: coupling.order: the order must list every component once; it lacks analysis. Components are md, analysis.",
  ]);
  const timed = ASYNCHRONOUS.replace("iterations: 5", "window: 0.1\n  windows: 3");
  assert.deepEqual(problemsOf(timed), [
    "conflux.yaml:13:1: asynchronous: asynchronous couplings run in iteration runs; this one runs in physical time (coupling.window). Use coupling.iterations, or carry the field with a transfer.",
  ]);
});
