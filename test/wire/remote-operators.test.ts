// The remote-operators layout (wire/remote-operators.ts): operators written
// are read back as they were, and a payload that came from another node is
// refused, by operator and by reason, when its counts do not fit its bytes, an
// index is out of range, a weight is not finite, or its layout is foreign.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeRemoteOperators,
  encodeRemoteOperators,
  type RemoteOperator,
  RemoteOperatorKind,
  RemoteOperatorsError,
  remoteOperatorsBytes,
  remoteOperatorsPublished,
} from "../../src/wire/remote-operators.ts";

const gather: RemoteOperator = {
  segment: "Solid.surface",
  fieldOffset: 64,
  targetCount: 3,
  kind: RemoteOperatorKind.gather,
  valuesOffset: 3,
  valueCount: 2,
  rowPointers: new Int32Array(0),
  columns: Int32Array.of(1, 0, 1),
  weights: new Float64Array(0),
};
const rows: RemoteOperator = {
  segment: "Solid.volume",
  fieldOffset: 128,
  targetCount: 2,
  kind: RemoteOperatorKind.rows,
  valuesOffset: 5,
  valueCount: 3,
  rowPointers: Int32Array.of(0, 2, 3),
  columns: Int32Array.of(0, 2, 1),
  weights: Float64Array.of(0.25, 0.75, 1),
};
/** Room for three generations, though two are used: a third operator's slot is free (the tests add one). */
const SOURCE_VALUES = 8;

function encoded(operators: RemoteOperator[] = [gather, rows], sourceValues = SOURCE_VALUES): Uint8Array {
  const bytes = new Uint8Array(remoteOperatorsBytes(operators));
  encodeRemoteOperators({ operators, sourceValues }, bytes);
  return bytes;
}

const decode = (bytes: Uint8Array) => decodeRemoteOperators(bytes, "agent on node2, component Solid");

function refused(bytes: Uint8Array, reason: RegExp): void {
  assert.throws(
    () => decode(bytes),
    (error: unknown) =>
      error instanceof RemoteOperatorsError &&
      /^agent on node2, component Solid: remote operators /.test(error.message) &&
      reason.test(error.message),
  );
}

/** The byte offset of `operator`'s arrays in `encoded()`: head, entry head, its name padded to 8. */
function arraysOf(index: number): number {
  const first = 24 + 32 + 16;
  return index === 0 ? first : first + 16 + 32 + 16;
}

test("operators written are read back as they were, once the magic is there", () => {
  const bytes = encoded();
  assert.equal(remoteOperatorsPublished(bytes), true);
  const remote = decode(bytes);
  assert.equal(remote.sourceValues, SOURCE_VALUES);
  assert.deepEqual(remote.operators, [gather, rows]);
  assert.equal(remoteOperatorsPublished(new Uint8Array(bytes.byteLength)), false);
});

test("a payload whose counts do not fit its bytes is refused", () => {
  const bytes = encoded();
  refused(bytes.subarray(0, 16), /fewer than their head/);
  refused(bytes.slice(0, bytes.byteLength - 8), /that say \d+ bytes in \d+/);
  const view = (copy: Uint8Array) => new DataView(copy.buffer);
  const moreOperators = encoded();
  view(moreOperators).setUint32(8, 3, true);
  refused(moreOperators, /end inside operator 2/);
  const moreEntries = encoded();
  view(moreEntries).setUint32(24 + 24, 1000, true);
  refused(moreEntries, /operator 0 \(onto segment "Solid.surface"\) gathers 1000 values for 3 target points/);
  const fewerValues = encoded([gather, rows], 6);
  refused(fewerValues, /operator 1 \(onto segment "Solid.volume"\) reads values 5..8 outside 5..6/);
  const generations = encoded();
  view(generations).setUint32(8, 1000, true);
  refused(generations, /count 1000 operators in 8 source values/);
  const foreign = encoded();
  view(foreign).setUint32(4, 2, true);
  refused(foreign, /layout version 2/);
  const unknownKind = encoded();
  view(unknownKind).setUint32(24 + 4, 9, true);
  refused(unknownKind, /operator 0 \(onto segment "Solid.surface"\) is of kind 9/);
});

test("indices out of range and weights that are not finite are refused, naming the operator", () => {
  const column = encoded();
  new DataView(column.buffer).setInt32(arraysOf(0) + 4, 2, true);
  refused(column, /operator 0 \(onto segment "Solid.surface"\) has column 2 at entry 1, outside its 2 values/);
  const negative = encoded();
  new DataView(negative.buffer).setInt32(arraysOf(0), -1, true);
  refused(negative, /has column -1 at entry 0/);
  const pointers = encoded();
  new DataView(pointers.buffer).setInt32(arraysOf(1) + 4, 5, true);
  refused(pointers, /operator 1 \(onto segment "Solid.volume"\) has row pointer 2 going back/);
  const lastPointer = encoded();
  new DataView(lastPointer.buffer).setInt32(arraysOf(1) + 8, 2, true);
  refused(lastPointer, /has row pointers from 0 to 2, not 0 to its 3 entries/);
  for (const weight of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const spoiled = encoded();
    // Rows: pointers (3, padded to 16 bytes), columns (3, padded to 16), then the weights.
    new DataView(spoiled.buffer).setFloat64(arraysOf(1) + 16 + 16 + 8, weight, true);
    refused(spoiled, new RegExp(`operator 1 \\(onto segment "Solid.volume"\\) has weight ${weight} at entry 1`));
  }
});
