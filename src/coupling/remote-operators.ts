// Transfers applied on the target's node. In an iteration run, a transfer
// onto a component of one rank on another node whose operator is sparse
// (nearest neighbour, consistent; RBF-PU, MLS: compressed rows) is set up here,
// from the whole source mesh, as on one node, and then handed over: the driver
// writes its rows into "<component>._operators" (wire/remote-operators.ts),
// which the relay passes to the component's agent once, and each iteration it
// writes only the source values the rows read into "<component>._sources",
// which crosses with the turn like the component's other segments. The agent
// applies the rows before it passes on the record that hands the turn to the
// component (cluster/remote-apply.ts), so the target field is computed on its
// own node and never crosses from here. The columns the rows read are exactly
// the source points within the operator's support of the target's points
// (for nearest neighbour, each target point's nearest source point), so they
// lie within the target's bounding box grown by that support: what each
// source learns at setup is which of its values any remote operator reads.
// The finite check of the source field stays here, before the values go.
import {
  NearestNeighbourOperator,
  SparseTransferOperator,
  sourcePointsRead,
  type TransferMethod,
  type TransferOperator,
} from "../mapping/index.ts";
import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import {
  encodeRemoteOperators,
  type RemoteOperator,
  RemoteOperatorKind,
  remoteOperatorsBytes,
  remoteOperatorsSegmentName,
  remoteSourcesSegmentName,
} from "../wire/remote-operators.ts";
import { ComponentLink } from "./component-link.ts";
import type { Participant } from "./participant.ts";
import type { TransferPlan } from "./plan.ts";
import { meshHeadBytes, type ReadSource } from "./remote-reads.ts";
import type { BoundTransfer } from "./schemes/iteration-loop.ts";

const VALUE_BYTES = 8;

/**
 * Stands in the loop for an operator applied on the target's node: it writes the source values the rows read,
 * and raises the operator's generation, which tells the agent to apply; it writes nothing of the target.
 */
class SourceValuesHandover implements TransferOperator {
  readonly method: TransferMethod;
  readonly conservative: boolean;
  readonly sourceCount: number;
  readonly targetCount: number;

  constructor(
    operator: TransferOperator,
    /** The source points the rows read, in the order of their values. */
    private readonly read: Int32Array,
    private readonly values: Float64Array,
    /** The operator's generation, one double of "<component>._sources". */
    private readonly generation: Float64Array,
  ) {
    this.method = operator.method;
    this.conservative = operator.conservative;
    this.sourceCount = operator.sourceCount;
    this.targetCount = operator.targetCount;
  }

  get byteLength(): number {
    return this.read.byteLength;
  }

  apply(source: Float64Array): void {
    const read = this.read;
    const values = this.values;
    for (let index = 0; index < read.length; index++) values[index] = source[read[index] as number] as number;
    this.generation[0] = (this.generation[0] as number) + 1;
  }
}

export interface RemoteOperatorPlacement {
  /** The loop's transfers: those applied elsewhere hand over their source values instead. */
  transfers: BoundTransfer[];
  /** Transfer label → the node it is applied on, for those applied off the driver's node. */
  appliedOn: Record<string, string>;
  /**
   * The target meshes of those transfers, as what the driver reads of them: their heads alone. Their fields are
   * computed on their node and read there; here only at bye, when everything crosses.
   */
  targetHeads: ReadSource[];
  close(): void;
}

/** Components of one rank on another node, by name: their node. */
function remoteTargets(participants: ReadonlyMap<string, Participant>): Map<string, string> {
  const remote = new Map<string, string>();
  for (const participant of participants.values()) {
    const node = participant.plan.node;
    if (node !== undefined && participant.link instanceof ComponentLink) remote.set(participant.plan.name, node);
  }
  return remote;
}

/** The operator's rows over the values it reads (its columns renumbered), or undefined for one applied here. */
function rowsOverReadValues(
  operator: TransferOperator,
  read: Int32Array,
): Omit<RemoteOperator, "segment" | "fieldOffset" | "valuesOffset"> | undefined {
  const renumbered = new Int32Array(operator.sourceCount);
  for (let index = 0; index < read.length; index++) renumbered[read[index] as number] = index;
  const renumber = (columns: Int32Array) => columns.map((column) => renumbered[column] as number);
  if (operator instanceof NearestNeighbourOperator && !operator.conservative) {
    return {
      kind: RemoteOperatorKind.gather,
      targetCount: operator.targetCount,
      valueCount: read.length,
      rowPointers: new Int32Array(0),
      columns: renumber(operator.partners),
      weights: new Float64Array(0),
    };
  }
  if (operator instanceof SparseTransferOperator) {
    const matrix = operator.matrix;
    return {
      kind: RemoteOperatorKind.rows,
      targetCount: operator.targetCount,
      valueCount: read.length,
      rowPointers: matrix.rowPointers.slice(),
      columns: renumber(matrix.columns),
      weights: matrix.weights.slice(),
    };
  }
  return undefined;
}

/**
 * Hands every transfer of an iteration run onto a component of one rank on another node, with a sparse operator,
 * to that node: writes "<component>._operators" and "<component>._sources" and returns the loop's transfers with
 * those transfers handing over their source values. Everything else is applied here, as before.
 */
export function placeRemoteOperators(
  run: Run,
  participants: ReadonlyMap<string, Participant>,
  plans: readonly TransferPlan<unknown>[],
  transfers: readonly BoundTransfer[],
  meshes: ReadonlyMap<string, SharedMesh>,
): RemoteOperatorPlacement {
  const nodes = remoteTargets(participants);
  const byComponent = new Map<string, { index: number; operator: RemoteOperator; read: Int32Array }[]>();
  const targetHeads: ReadSource[] = [];
  transfers.forEach((transfer, index) => {
    const to = plans[index]?.to;
    const mesh = to === undefined ? undefined : meshes.get(`${to.component}.${to.mesh}`);
    if (to === undefined || mesh === undefined || !nodes.has(to.component)) return;
    const read =
      sourcePointsRead(transfer.operator) ??
      Int32Array.from({ length: transfer.operator.sourceCount }, (_, point) => point);
    const rows = rowsOverReadValues(transfer.operator, read);
    if (rows === undefined) return;
    const target = mesh.field(to.field);
    const operator = {
      ...rows,
      segment: mesh.segment.name,
      fieldOffset: target.byteOffset - mesh.segment.payloadOffset,
      valuesOffset: 0,
    };
    targetHeads.push({
      component: to.component,
      segment: mesh.segment,
      headBytes: meshHeadBytes(mesh),
      views: [],
      operator: transfer.operator,
    });
    const list = byComponent.get(to.component) ?? [];
    list.push({ index, operator, read });
    byComponent.set(to.component, list);
  });
  const placed = [...transfers];
  const appliedOn: Record<string, string> = {};
  const segments: Segment[] = [];
  for (const [component, list] of byComponent) {
    // A generation per operator first, then each operator's values.
    let sourceValues = list.length;
    for (const entry of list) {
      entry.operator.valuesOffset = sourceValues;
      sourceValues += entry.operator.valueCount;
    }
    const operators = run.createSegment(
      remoteOperatorsSegmentName(component),
      remoteOperatorsBytes(list.map((entry) => entry.operator)),
    );
    segments.push(operators);
    encodeRemoteOperators(
      { operators: list.map((entry) => entry.operator), sourceValues },
      operators.bytes(0, operators.payloadSize),
    );
    const sources = run.createSegment(remoteSourcesSegmentName(component), sourceValues * VALUE_BYTES);
    segments.push(sources);
    list.forEach((entry, slot) => {
      const transfer = transfers[entry.index] as BoundTransfer;
      const at = sources.payloadOffset;
      const values = new Float64Array(
        sources.buffer,
        at + entry.operator.valuesOffset * VALUE_BYTES,
        entry.operator.valueCount,
      );
      const generation = new Float64Array(sources.buffer, at + slot * VALUE_BYTES, 1);
      placed[entry.index] = {
        ...transfer,
        operator: new SourceValuesHandover(transfer.operator, entry.read, values, generation),
      };
      appliedOn[transfer.label] = nodes.get(component) as string;
    });
  }
  return {
    transfers: placed,
    appliedOn,
    targetHeads,
    close: () => {
      for (const segment of segments) segment.close();
    },
  };
}
