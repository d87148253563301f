// A remote-operators payload's layout (docs/wire-format.md, "Remote
// operators", version 1): the operators the driver has set up for transfers
// onto a component on another node, so that they are applied there. The
// driver writes it once, after setup, in a segment named
// "<component>._operators" (no mesh can be named so: a mesh name starts with a
// letter); the component's relay passes it to that node's agent. Each window
// the driver writes the source values the operators read into
// "<component>._sources", whose layout this payload describes: one generation
// count per operator (a double, raised each time the driver would have
// applied it), then each operator's source values, in the order of its
// columns. Every column here indexes those values, not the source mesh.
// This module is the only code that encodes the layout; every reader decodes
// it through decodeRemoteOperators, which checks every count, index and weight
// against the bytes: they come from another node.

import * as versioned from "./versioned-payload.ts";

export const REMOTE_OPERATORS_MAGIC = 0x504f4d52; // "RMOP"
export const REMOTE_OPERATORS_LAYOUT_VERSION = 1;
/** magic, version, operator count, total bytes, source values (doubles of "<component>._sources"), reserved. */
export const REMOTE_OPERATORS_HEAD_BYTES = 24;
const ENTRY_HEAD_BYTES = 32;
const NAME_LIMIT = 1024;
const INDEX_BYTES = 4;
const WEIGHT_BYTES = 8;
const VALUE_BYTES = 8;

/** How a target value is made from source values. */
export const RemoteOperatorKind = {
  /** One source value per target point, copied (nearest neighbour, consistent). */
  gather: 1,
  /** Compressed rows: a weighted sum of source values per target point (RBF-PU, MLS, conservative forms). */
  rows: 2,
} as const;
export type RemoteOperatorKind = (typeof RemoteOperatorKind)[keyof typeof RemoteOperatorKind];

export interface RemoteOperator {
  /** The target's segment (a mesh of the component), e.g. "Solid.surface". */
  segment: string;
  /** Where the target field starts in that segment's payload, in bytes (a multiple of 8). */
  fieldOffset: number;
  targetCount: number;
  kind: RemoteOperatorKind;
  /** Where this operator's source values start in "<component>._sources", in doubles. */
  valuesOffset: number;
  /** How many source values it reads: its columns index them. */
  valueCount: number;
  /** rows: targetCount + 1 pointers into columns and weights; gather: empty. */
  rowPointers: Int32Array;
  /** rows: one per entry; gather: one per target point. */
  columns: Int32Array;
  /** rows: one per entry; gather: empty. */
  weights: Float64Array;
}

export interface RemoteOperators {
  operators: RemoteOperator[];
  /** Doubles of "<component>._sources": a generation per operator, then every operator's values. */
  sourceValues: number;
}

const LAYOUT: versioned.PayloadLayout = {
  magic: REMOTE_OPERATORS_MAGIC,
  version: REMOTE_OPERATORS_LAYOUT_VERSION,
  headBytes: REMOTE_OPERATORS_HEAD_BYTES,
};

export class RemoteOperatorsError extends Error {
  override name = "RemoteOperatorsError";
}

export function remoteOperatorsSegmentName(component: string): string {
  return `${component}._operators`;
}

export function remoteSourcesSegmentName(component: string): string {
  return `${component}._sources`;
}

/** Bytes the payload of `operators` takes. */
export function remoteOperatorsBytes(operators: readonly RemoteOperator[]): number {
  let bytes = REMOTE_OPERATORS_HEAD_BYTES;
  for (const operator of operators) bytes += entryBytes(operator, Buffer.byteLength(operator.segment, "utf8"));
  return bytes;
}

/** Writes `remote` into `target` (remoteOperatorsBytes long), the magic last, so a reader that sees it sees the rest. */
export function encodeRemoteOperators(remote: RemoteOperators, target: Uint8Array): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  versioned.writePayloadHead(view, LAYOUT, remote.operators.length);
  view.setUint32(16, remote.sourceValues, true);
  view.setUint32(20, 0, true);
  let at = REMOTE_OPERATORS_HEAD_BYTES;
  for (const operator of remote.operators) {
    const name = Buffer.from(operator.segment, "utf8");
    const head = [
      name.byteLength,
      operator.kind,
      operator.fieldOffset,
      operator.targetCount,
      operator.valuesOffset,
      operator.valueCount,
      operator.columns.length,
      0,
    ];
    for (const [index, value] of head.entries()) view.setUint32(at + index * 4, value, true);
    target.set(name, at + ENTRY_HEAD_BYTES);
    at += ENTRY_HEAD_BYTES + padded(name.byteLength);
    for (const array of [operator.rowPointers, operator.columns, operator.weights]) {
      target.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
      at += padded(array.byteLength);
    }
  }
  versioned.publishPayload(target, LAYOUT);
}

/** Whether the writer has finished: the magic is there (it is stored last). */
export function remoteOperatorsPublished(bytes: Uint8Array): boolean {
  return versioned.payloadPublished(bytes, LAYOUT);
}

/**
 * The operators of a payload, every count, index and weight checked against its bytes; `where` names it in
 * errors. Arrays are copies, aligned for the apply.
 */
export function decodeRemoteOperators(bytes: Uint8Array, where: string): RemoteOperators {
  const fail = (reason: string): never => {
    throw new RemoteOperatorsError(`${where}: remote operators ${reason}`);
  };
  const { view, count } = versioned.checkedPayloadHead(bytes, LAYOUT, fail);
  const sourceValues = view.getUint32(16, true);
  // Each operator has its generation before any values: fewer doubles than operators cannot hold them.
  if (count > sourceValues) fail(`that count ${count} operators in ${sourceValues} source values`);
  const operators: RemoteOperator[] = [];
  let at = REMOTE_OPERATORS_HEAD_BYTES;
  let valuesEnd = count;
  for (let entry = 0; entry < count; entry++) {
    if (at + ENTRY_HEAD_BYTES > bytes.byteLength) fail(`that end inside operator ${entry}`);
    const field = (index: number) => view.getUint32(at + index * 4, true);
    const nameBytes = field(0);
    const kind = field(1);
    const [fieldOffset, targetCount, valuesOffset, valueCount, entries] = [
      field(2),
      field(3),
      field(4),
      field(5),
      field(6),
    ];
    const of = `operator ${entry}`;
    if (nameBytes === 0 || nameBytes > NAME_LIMIT || at + ENTRY_HEAD_BYTES + nameBytes > bytes.byteLength)
      fail(`whose ${of} has a name that does not fit them`);
    const segment = Buffer.from(bytes.buffer, bytes.byteOffset + at + ENTRY_HEAD_BYTES, nameBytes).toString("utf8");
    const named = `${of} (onto segment "${segment}")`;
    if (kind !== RemoteOperatorKind.gather && kind !== RemoteOperatorKind.rows)
      fail(`whose ${named} is of kind ${kind}`);
    if (fieldOffset % VALUE_BYTES !== 0) fail(`whose ${named} has its field at byte ${fieldOffset}, not on a double`);
    if (valuesOffset < valuesEnd || valuesOffset + valueCount > sourceValues)
      fail(
        `whose ${named} reads values ${valuesOffset}..${valuesOffset + valueCount} outside ${valuesEnd}..${sourceValues}`,
      );
    valuesEnd = valuesOffset + valueCount;
    if (kind === RemoteOperatorKind.gather && entries !== targetCount)
      fail(`whose ${named} gathers ${entries} values for ${targetCount} target points`);
    const pointerCount = kind === RemoteOperatorKind.rows ? targetCount + 1 : 0;
    const weightCount = kind === RemoteOperatorKind.rows ? entries : 0;
    const arraysAt = at + ENTRY_HEAD_BYTES + padded(nameBytes);
    const end =
      arraysAt + padded(pointerCount * INDEX_BYTES) + padded(entries * INDEX_BYTES) + weightCount * WEIGHT_BYTES;
    if (end > bytes.byteLength) fail(`whose ${named} has more entries (${entries}) than they hold`);
    const copied = <T extends Int32Array | Float64Array>(make: (length: number) => T, length: number, from: number) => {
      const array = make(length);
      new Uint8Array(array.buffer).set(bytes.subarray(from, from + array.byteLength));
      return array;
    };
    const rowPointers = copied((length) => new Int32Array(length), pointerCount, arraysAt);
    const columnsAt = arraysAt + padded(pointerCount * INDEX_BYTES);
    const columns = copied((length) => new Int32Array(length), entries, columnsAt);
    const weights = copied(
      (length) => new Float64Array(length),
      weightCount,
      columnsAt + padded(entries * INDEX_BYTES),
    );
    const problem = rowsProblem(rowPointers, columns, weights, valueCount, kind === RemoteOperatorKind.rows);
    if (problem !== undefined) fail(`whose ${named} ${problem}`);
    operators.push({
      segment,
      fieldOffset,
      targetCount,
      kind: kind as RemoteOperatorKind,
      valuesOffset,
      valueCount,
      rowPointers,
      columns,
      weights,
    });
    at = end;
  }
  if (at !== bytes.byteLength) fail(`with ${bytes.byteLength - at} bytes after their last operator`);
  return { operators, sourceValues };
}

/** Why these rows cannot be applied safely, or undefined: pointers that go back, columns out of range, weights not finite. */
function rowsProblem(
  rowPointers: Int32Array,
  columns: Int32Array,
  weights: Float64Array,
  valueCount: number,
  rows: boolean,
): string | undefined {
  if (rows) {
    if (rowPointers[0] !== 0 || rowPointers[rowPointers.length - 1] !== columns.length)
      return `has row pointers from ${rowPointers[0]} to ${rowPointers[rowPointers.length - 1]}, not 0 to its ${columns.length} entries`;
    for (let row = 1; row < rowPointers.length; row++) {
      if ((rowPointers[row] as number) < (rowPointers[row - 1] as number)) return `has row pointer ${row} going back`;
    }
  }
  for (let entry = 0; entry < columns.length; entry++) {
    const column = columns[entry] as number;
    if (column < 0 || column >= valueCount)
      return `has column ${column} at entry ${entry}, outside its ${valueCount} values`;
  }
  for (let entry = 0; entry < weights.length; entry++) {
    const weight = weights[entry] as number;
    if (weight - weight !== 0) return `has weight ${weight} at entry ${entry}`;
  }
  return undefined;
}

/** An operator's bytes: every part a multiple of 8, so the next operator starts on a double's boundary too. */
function entryBytes(operator: RemoteOperator, nameBytes: number): number {
  return (
    ENTRY_HEAD_BYTES +
    padded(nameBytes) +
    padded(operator.rowPointers.byteLength) +
    padded(operator.columns.byteLength) +
    operator.weights.byteLength
  );
}

/** To 8 bytes: every array starts on a double's boundary. */
function padded(bytes: number): number {
  return (bytes + 7) & ~7;
}
