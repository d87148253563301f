// The agent's side of a transfer applied on its node (coupling/remote-operators.ts
// is the driver's): the operators the driver set up, as rows over the source
// values it sends, arrive once (wire/remote-operators.ts), are checked, and are
// bound to the component's target fields and to "<component>._sources" on
// this node. Before the agent passes on a record that hands the turn to the
// component, every operator whose generation the driver raised since is
// applied: target = rows × source values, with the mapping's own operators, so
// that every sum is the one-node sum, bit for bit. Nothing is allocated then.
import { NearestNeighbourOperator, SparseTransferOperator, type TransferOperator } from "../mapping/index.ts";
import type { Run } from "../shm/run.ts";
import type { Segment } from "../shm/segment.ts";
import {
  decodeRemoteOperators,
  RemoteOperatorKind,
  type RemoteOperators,
  remoteSourcesSegmentName,
} from "../wire/remote-operators.ts";

const VALUE_BYTES = 8;

interface BoundOperator {
  operator: TransferOperator;
  values: Float64Array;
  target: Float64Array;
}

export class RemoteApply {
  private received: RemoteOperators | undefined;
  private bound: BoundOperator[] | undefined;
  /** The generation each operator was last applied at; the driver's are in the first doubles of its values. */
  private applied = new Float64Array(0);
  private generations = new Float64Array(0);
  private readonly segments: Segment[] = [];

  constructor(
    private readonly run: Run,
    private readonly component: string,
    /** Names the component and its node in every error. */
    private readonly where: string,
  ) {}

  /** The driver's operators, checked as they came; they are bound to this node's segments before their first apply. */
  receive(payload: Buffer): void {
    if (this.received !== undefined) throw new Error(`${this.where}: the driver's operators came twice`);
    const remote = decodeRemoteOperators(payload, `${this.where}: the driver's`);
    for (const operator of remote.operators) {
      if (
        !operator.segment.startsWith(`${this.component}.`) ||
        operator.segment.slice(this.component.length + 1).startsWith("_")
      )
        throw new Error(
          `${this.where}: the driver's operator onto segment "${operator.segment}", which is not a mesh of component ${this.component}`,
        );
    }
    this.received = remote;
  }

  /** Applies every operator the driver has handed new source values to since the last turn. */
  applyDue(): void {
    if (this.received === undefined) return;
    const bound = this.bound ?? this.bind(this.received);
    const generations = this.generations;
    const applied = this.applied;
    for (let index = 0; index < bound.length; index++) {
      const generation = generations[index] as number;
      if (generation === applied[index]) continue;
      const entry = bound[index] as BoundOperator;
      entry.operator.apply(entry.values, entry.target);
      applied[index] = generation;
    }
  }

  private bind(remote: RemoteOperators): BoundOperator[] {
    const sources = this.opened(remoteSourcesSegmentName(this.component));
    if (sources.payloadSize < remote.sourceValues * VALUE_BYTES) {
      throw new Error(
        `${this.where}: segment "${sources.name}" has ${sources.payloadSize} bytes, fewer than the ${remote.sourceValues} values the driver's operators read`,
      );
    }
    const bound = remote.operators.map((operator) => {
      const segment = this.opened(operator.segment);
      if (operator.fieldOffset + operator.targetCount * VALUE_BYTES > segment.payloadSize) {
        throw new Error(
          `${this.where}: the driver's operator writes ${operator.targetCount} values at byte ${operator.fieldOffset} of segment "${operator.segment}", which has ${segment.payloadSize} bytes`,
        );
      }
      const applied: TransferOperator =
        operator.kind === RemoteOperatorKind.gather
          ? new NearestNeighbourOperator(false, operator.valueCount, operator.targetCount, operator.columns)
          : // The method only labels an operator in reports; what applies is the rows, whatever set them up.
            new SparseTransferOperator("rbf-pu", false, {
              rowCount: operator.targetCount,
              columnCount: operator.valueCount,
              rowPointers: operator.rowPointers,
              columns: operator.columns,
              weights: operator.weights,
            });
      return {
        operator: applied,
        values: new Float64Array(
          sources.buffer,
          sources.payloadOffset + operator.valuesOffset * VALUE_BYTES,
          operator.valueCount,
        ),
        target: new Float64Array(segment.buffer, segment.payloadOffset + operator.fieldOffset, operator.targetCount),
      };
    });
    this.generations = new Float64Array(sources.buffer, sources.payloadOffset, remote.operators.length);
    this.applied = new Float64Array(remote.operators.length);
    this.bound = bound;
    return bound;
  }

  private opened(name: string): Segment {
    if (!this.run.segments().some((entry) => entry.name === name))
      throw new Error(`${this.where}: the driver's operators name segment "${name}", which this node does not have`);
    const segment = this.run.openSegment(name);
    this.segments.push(segment);
    return segment;
  }

  close(): void {
    for (const segment of this.segments) segment.close();
    this.segments.length = 0;
  }
}
