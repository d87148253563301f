// The agent's apply of the operators the driver handed over (cluster/remote-apply.ts),
// in one run standing for the component's node: an RBF-PU operator's rows over the
// values it reads give its own apply bit for bit, only when the driver has raised its
// generation; operators onto another component's segment, or beyond the target's
// bytes, are refused naming the component and its node.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { RemoteApply } from "../../src/cluster/remote-apply.ts";
import { createOperator, pointSetFromInterleaved, SparseTransferOperator } from "../../src/mapping/index.ts";
import { SharedMesh } from "../../src/shm/shared-mesh.ts";
import {
  encodeRemoteOperators,
  type RemoteOperator,
  RemoteOperatorKind,
  remoteOperatorsBytes,
  remoteSourcesSegmentName,
} from "../../src/wire/remote-operators.ts";
import { scratchRun } from "../support/scratch-run.ts";

const WHERE = "agent on node2, component Solid";
const line = (count: number, to: number) =>
  pointSetFromInterleaved(
    1,
    Float64Array.from({ length: count }, (_, point) => (to * point) / count),
  );

function payload(operators: RemoteOperator[], sourceValues: number): Buffer {
  const bytes = Buffer.alloc(remoteOperatorsBytes(operators));
  encodeRemoteOperators({ operators, sourceValues }, bytes);
  return bytes;
}

/** Solid's mesh on its node, its "<component>._sources" with room for `values` doubles, and an RBF-PU operator onto it. */
function node(t: TestContext, values: number) {
  const run = scratchRun(t);
  const mesh = SharedMesh.create(run, "Solid", "surface", { dimension: 1, count: 40, layout: "soa", fields: ["in"] });
  const sources = run.createSegment(remoteSourcesSegmentName("Solid"), values * 8);
  t.after(() => {
    sources.close();
    mesh.close();
  });
  const operator = createOperator(line(100, 1), line(40, 1), { method: "rbf-pu", radius: 0.1 });
  assert.ok(operator instanceof SparseTransferOperator);
  const matrix = operator.matrix;
  const remote: RemoteOperator = {
    segment: mesh.segment.name,
    fieldOffset: mesh.field("in").byteOffset - mesh.segment.payloadOffset,
    targetCount: 40,
    kind: RemoteOperatorKind.rows,
    valuesOffset: 1,
    valueCount: 100,
    rowPointers: matrix.rowPointers,
    columns: matrix.columns,
    weights: matrix.weights,
  };
  const generation = new Float64Array(sources.buffer, sources.payloadOffset, 1);
  const sourceValues = new Float64Array(sources.buffer, sources.payloadOffset + 8, 100);
  return { run, mesh, operator, remote, generation, sourceValues };
}

test("rows over the values read give the operator's own apply bit for bit, once per generation", (t) => {
  const { run, mesh, operator, remote, generation, sourceValues } = node(t, 101);
  const apply = new RemoteApply(run, "Solid", WHERE);
  t.after(() => apply.close());
  apply.receive(payload([remote], 101));
  for (let point = 0; point < 100; point++) sourceValues[point] = Math.sin(point * 0.37) * 1e3 + 1 / (point + 1);
  const target = mesh.field("in");
  target.fill(-7);
  apply.applyDue();
  assert.deepEqual(Array.from(target), new Array(40).fill(-7), "nothing is applied before the driver says so");
  generation[0] = 1;
  apply.applyDue();
  const expected = new Float64Array(40);
  operator.apply(sourceValues, expected);
  assert.deepEqual(new Uint8Array(target.buffer, target.byteOffset, 320), new Uint8Array(expected.buffer));
  target.fill(-7);
  apply.applyDue();
  assert.equal(target[0], -7, "the same generation is not applied twice");
});

test("operators onto another component's segment, or beyond the target's bytes, are refused by name", (t) => {
  const { run, remote } = node(t, 101);
  const apply = new RemoteApply(run, "Solid", WHERE);
  t.after(() => apply.close());
  assert.throws(
    () => apply.receive(payload([{ ...remote, segment: "Fluid.surface" }], 101)),
    /^Error: agent on node2, component Solid: the driver's operator onto segment "Fluid.surface", which is not a mesh of component Solid$/,
  );
  assert.throws(
    () => apply.receive(payload([{ ...remote, segment: "Solid._link" }], 101)),
    /which is not a mesh of component Solid/,
  );
  apply.receive(payload([{ ...remote, fieldOffset: remote.fieldOffset + 8 * 64 }], 101));
  assert.throws(
    () => apply.applyDue(),
    /^Error: agent on node2, component Solid: the driver's operator writes 40 values at byte \d+ of segment "Solid.mesh.surface", which has \d+ bytes$/,
  );
  const short = new RemoteApply(run, "Solid", WHERE);
  t.after(() => short.close());
  short.receive(payload([remote], 200));
  assert.throws(() => short.applyDue(), /has 808 bytes, fewer than the 200 values the driver's operators read/);
});
