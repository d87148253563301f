// The driver's side of a component of many ranks: one ComponentLink per rank,
// signalled together and waited for together. While the ranks step, the
// driver looks at every rank's ring without receiving (a spin, then 50 µs
// naps: a rank's done is seen within a nap of when it came), so each rank's
// own step time is known and the run can show load imbalance. Then each
// rank's records are received and checked by its own link, which names the
// rank in any error; a rank found dead is waited for first, so its death is
// reported, not a sibling's wait for it. The partitions are copied to and from
// the union at the step's edges (partition-bridge.ts).
import { native } from "../../native/index.ts";
import { Message } from "../../queue/message.ts";
import type { PeerLiveness } from "../../queue/peer.ts";
import type { Run } from "../../shm/run.ts";
import { Opcode, WindowFlag } from "../../wire/protocol.ts";
import type { ComponentLink, WindowAttempt } from "../component-link.ts";
import type { CouplingLink } from "../coupling-link.ts";
import { ProtocolViolation } from "../protocol-violation.ts";
import type { PartitionBridge } from "./partition-bridge.ts";

/** Spins between looks before the first nap: a rank that answers at once is seen at once. */
const SPINS_BEFORE_NAPPING = 2000;
const NAP_MS = 0.05;
/** How often a rank that has not answered is asked whether it still lives. */
const LIVENESS_EVERY_NS = 1_000_000;
/** More records than any ring holds: draining a dead rank's ring ends before this. */
const MAX_DRAINED = 1 << 16;

/** An error of one rank's link, marked with the rank, so the run's error can name it. */
export function markRank<T>(error: T, rank: number): T {
  if (error instanceof Error && (error as Error & { rank?: number }).rank === undefined) {
    Object.assign(error, { rank });
  }
  return error;
}

/** The rank an error is about, if it was marked. */
export function rankOf(error: unknown): number | undefined {
  return error instanceof Error ? (error as Error & { rank?: number }).rank : undefined;
}

/** Two processes attached the same rank's channel: the driver saw the loser's pid in the contender word. */
export class RankClaimedTwice extends Error {
  override name = "RankClaimedTwice";
  constructor(
    readonly component: string,
    readonly rank: number,
    readonly holderPid: number,
    readonly contenderPid: number,
  ) {
    super(
      `was started twice as rank ${rank}: pid ${holderPid} holds it and pid ${contenderPid} claimed it too (check the launcher's -n and the composition's ranks)`,
    );
  }
}

export class RankGroupLink implements CouplingLink {
  /** Set once the meshes are checked; until then there is nothing to copy. */
  bridge: PartitionBridge | undefined;
  /** Per rank, its step times (ns) in the order they were taken; `samples` of them are filled. */
  readonly rankSteps: Float64Array[];
  samples = 0;
  private readonly hello: Uint8Array;
  private readonly arrived: Uint8Array;
  private readonly arrivals: Float64Array;
  private readonly nap = new Int32Array(new SharedArrayBuffer(4));
  private readonly drain = new Message();
  /** The clock read into this array, not returned: a double returned from the addon may be boxed. */
  private readonly clock = new Float64Array(1);
  private stepStart = 0;

  constructor(
    readonly run: Run,
    readonly component: string,
    /** In rank order. */
    readonly links: readonly ComponentLink[],
    private readonly liveness: readonly PeerLiveness[],
    /** How many steps the per-rank times hold (the loop's capacity). */
    capacity: number,
  ) {
    const ranks = links.length;
    this.hello = new Uint8Array(ranks);
    this.arrived = new Uint8Array(ranks);
    this.arrivals = new Float64Array(ranks);
    this.rankSteps = links.map(() => new Float64Array(Math.max(1, capacity)));
  }

  get ranks(): number {
    return this.links.length;
  }

  pollHello(): boolean {
    let all = true;
    for (let rank = 0; rank < this.links.length; rank++) {
      const link = this.links[rank] as ComponentLink;
      const contender = link.channel.contenderPid;
      if (contender !== 0)
        throw markRank(new RankClaimedTwice(this.component, rank, link.channel.componentPid, contender), rank);
      if (this.hello[rank] === 1) continue;
      let said: boolean;
      try {
        said = link.pollHello();
      } catch (error) {
        throw markRank(error, rank);
      }
      if (said) this.hello[rank] = 1;
      else all = false;
    }
    return all;
  }

  /** The ranks that have not said hello yet. */
  silentRanks(): number[] {
    const silent: number[] = [];
    for (let rank = 0; rank < this.links.length; rank++) if (this.hello[rank] === 0) silent.push(rank);
    return silent;
  }

  acknowledge(): void {
    for (let rank = 0; rank < this.links.length; rank++) (this.links[rank] as ComponentLink).acknowledge();
  }

  go(iteration: number): void {
    this.bridge?.scatterTargets();
    this.stepStart = this.now();
    for (let rank = 0; rank < this.links.length; rank++) (this.links[rank] as ComponentLink).go(iteration);
  }

  awaitDone(iteration: number, timeoutNs: number): void {
    this.watch(1, timeoutNs);
    for (let rank = 0; rank < this.links.length; rank++) {
      try {
        (this.links[rank] as ComponentLink).awaitDone(iteration, timeoutNs);
      } catch (error) {
        throw markRank(error, rank);
      }
    }
    this.record();
    this.bridge?.gatherFields();
  }

  sendWindow(attempt: WindowAttempt): void {
    const bridge = this.bridge;
    if (bridge !== undefined) {
      bridge.scatterTargets();
      bridge.scatterWaveforms();
    }
    this.stepStart = this.now();
    for (let rank = 0; rank < this.links.length; rank++) (this.links[rank] as ComponentLink).sendWindow(attempt);
  }

  /** Every rank's attempt, checked by its link; they must agree on the time reached and the steps taken. */
  awaitAttempt(attempt: WindowAttempt, timeoutNs: number): void {
    const flags = attempt.flags;
    const records =
      1 + ((flags & WindowFlag.writeCheckpoint) !== 0 ? 1 : 0) + ((flags & WindowFlag.readCheckpoint) !== 0 ? 1 : 0);
    this.watch(records, timeoutNs);
    let time = 0;
    let substeps = 0;
    for (let rank = 0; rank < this.links.length; rank++) {
      try {
        (this.links[rank] as ComponentLink).awaitAttempt(attempt, timeoutNs);
      } catch (error) {
        throw markRank(error, rank);
      }
      if (rank === 0) {
        time = attempt.doneTime;
        substeps = attempt.substeps;
      } else if (attempt.substeps !== substeps || attempt.doneTime !== time) {
        throw markRank(
          new ProtocolViolation(
            this.component,
            `rank ${rank} ended window ${attempt.window} (iteration ${attempt.iteration}) at t = ${attempt.doneTime} after ${attempt.substeps} steps, rank 0 at t = ${time} after ${substeps}: every rank takes the same steps`,
          ),
          rank,
        );
      }
    }
    this.record();
    const bridge = this.bridge;
    if (bridge !== undefined) {
      bridge.gatherFields();
      const problem = bridge.gatherWaveforms();
      if (problem !== undefined) {
        throw markRank(new ProtocolViolation(this.component, `rank ${problem.rank} ${problem.reason}`), problem.rank);
      }
    }
  }

  ping(timeoutNs: number): void {
    this.eachRank("ping", timeoutNs);
  }

  stop(timeoutNs: number): void {
    this.eachRank("stop", timeoutNs);
  }

  /** Pings or stops every rank in turn; an error names the rank it came from. */
  private eachRank(request: "ping" | "stop", timeoutNs: number): void {
    for (let rank = 0; rank < this.links.length; rank++) {
      try {
        (this.links[rank] as ComponentLink)[request](timeoutNs);
      } catch (error) {
        throw markRank(error, rank);
      }
    }
  }

  close(): void {
    for (const link of this.links) link.close();
    this.bridge?.close();
  }

  /**
   * Looks at every rank's ring until each has its done among its next `records` records, or one has died, or
   * the time is up, or a signal came: the receives that follow then say which (a dead rank's first).
   */
  private watch(records: number, timeoutNs: number): void {
    const links = this.links;
    const ranks = links.length;
    const arrived = this.arrived;
    arrived.fill(0);
    let left = ranks;
    const start = this.stepStart;
    let lastLiveness = this.now();
    let spins = 0;
    for (;;) {
      for (let rank = 0; rank < ranks; rank++) {
        if (arrived[rank] === 1) continue;
        const receiver = (links[rank] as ComponentLink).channel.receiver;
        for (let ahead = 0; ahead < records; ahead++) {
          const opcode = receiver.publishedOpcode(ahead);
          if (opcode === -1) break;
          if (opcode === Opcode.done || ahead === records - 1) {
            arrived[rank] = 1;
            this.arrivals[rank] = this.now() - start;
            left--;
            break;
          }
        }
      }
      if (left === 0) return;
      const now = this.now();
      if (now - start > timeoutNs || native.pendingSignal() !== 0) return;
      if (now - lastLiveness > LIVENESS_EVERY_NS) {
        lastLiveness = now;
        for (let rank = 0; rank < ranks; rank++) {
          if (arrived[rank] === 0 && !(this.liveness[rank] as PeerLiveness).isAlive()) {
            this.receiveFromDead(rank, timeoutNs);
          }
        }
      }
      if (spins < SPINS_BEFORE_NAPPING) spins++;
      else Atomics.wait(this.nap, 0, 0, NAP_MS);
    }
  }

  /** A rank died during the step: its own channel reports it, once what it sent before it died is drained. */
  private receiveFromDead(rank: number, timeoutNs: number): void {
    const channel = (this.links[rank] as ComponentLink).channel;
    try {
      for (let drained = 0; drained < MAX_DRAINED; drained++) channel.receive(this.drain, timeoutNs);
    } catch (error) {
      throw markRank(error, rank);
    }
    throw markRank(new ProtocolViolation(this.component, `rank ${rank} died during the step`), rank);
  }

  private now(): number {
    const clock = this.clock;
    native.monotonicNsInto(clock);
    return clock[0] as number;
  }

  private record(): void {
    const sample = this.samples;
    const steps = this.rankSteps;
    if (sample >= (steps[0] as Float64Array).length) return;
    for (let rank = 0; rank < steps.length; rank++)
      (steps[rank] as Float64Array)[sample] = this.arrivals[rank] as number;
    this.samples = sample + 1;
  }
}
