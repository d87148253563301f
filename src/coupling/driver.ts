// The driver. It launches every component in its enclave, waits for each to
// publish its meshes, checks them, builds the transfers and then runs the
// loop: in an iteration run the talk's, N iterations of serial explicit
// coupling (schemes/iteration-loop.ts); in a run in physical time, the
// waveforms are created before ack and the plan's scheme runs the windows
// (schemes/). Each phase is timed. Any failure ends the run with one
// CouplingFailure that names the component; every enclave is stopped and
// every segment removed on every path.

import type { Enclave, EnclaveOptions, ExitStatus } from "../enclave/enclave.ts";
import { EnclaveGroup } from "../enclave/enclave-group.ts";
import type { OutputSink } from "../enclave/output-capture.ts";
import type { ResourceUsage } from "../enclave/resources/resource-limits.ts";
import { type PointSet, pointSetFromMetadata, type TransferOperator } from "../mapping/index.ts";
import { native } from "../native/index.ts";
import {
  CorruptRecordError,
  InterruptedError,
  PeerClosedError,
  PeerDiedError,
  QueueError,
  QueueTimeoutError,
} from "../queue/errors.ts";
import { DEFAULT_WAIT } from "../queue/wait-strategy.ts";
import { Run } from "../shm/run.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import { SnapshotReader, specDifferences } from "../shm/snapshot.ts";
import { firstTruncation } from "../shm/truncation.ts";
import type { SharedWaveform } from "../shm/waveform.ts";
import { NODE_LOST_EXIT, SNAPSHOTS_VARIABLE, WAIT_VARIABLE } from "../wire/environment.ts";
import { type LinkCounters, linkCountersSegmentName, readLinkCounters } from "../wire/link-counters.ts";
import { MeshMetadataError } from "../wire/mesh.ts";
import { SegmentHeaderError } from "../wire/segment-header.ts";
import { snapshotSegmentName } from "../wire/snapshot.ts";
import { ComponentLink } from "./component-link.ts";
import { CouplingFailure, describeExit } from "./coupling-failure.ts";
import type { LiveRunSources } from "./live-sources.ts";
import type { GuardedTransfer, Participant, RunGuard, RunProgress } from "./participant.ts";
import { PhaseTimings } from "./phase-timings.ts";
import { type ComponentPlan, type CouplingPlan, fieldLabel, type TransferPlan } from "./plan.ts";
import { ProtocolViolation } from "./protocol-violation.ts";
import { rankEndFromMpirun } from "./ranks/mpirun-report.ts";
import { PartitionBridge, PartitionError } from "./ranks/partition-bridge.ts";
import { RankClaimedTwice, RankGroupLink, rankOf } from "./ranks/rank-group-link.ts";
import { createRankedEnclave } from "./ranks/rank-launch.ts";
import {
  addPartitionWaveforms,
  createRankGroupLink,
  describePoint,
  openPartitions,
  rankedPoint,
  rankPid,
} from "./ranks/rank-participants.ts";
import { placeRemoteOperators, type RemoteOperatorPlacement } from "./remote-operators.ts";
import { declareRemoteReads, readSources } from "./remote-reads.ts";
import { buildTimeRun, createTimeWaveforms, timePhaseNames, timeTimingCapacity } from "./schemes/build-time-run.ts";
import { type BoundTransfer, type IterationProbe, runIterations } from "./schemes/iteration-loop.ts";
import { runScheme } from "./schemes/run-scheme.ts";
import type { TimeRun, WindowConvergence } from "./schemes/time-run.ts";
import { blameTruncation, orphanTruncation, overwrittenRegistry } from "./truncation-failure.ts";

export interface DriverHooks<OperatorSpec> {
  buildOperator(source: PointSet, target: PointSet, spec: OperatorSpec): TransferOperator;
  /** Called after every iteration (every window, in a run in time), for progress displays (keep it cheap). */
  onIteration?(completed: number): void;
  /**
   * Called with every mesh before the run's segments are removed — after the
   * last iteration, or after a failure with what was produced so far — so
   * results can be saved.
   */
  collect?(meshes: ReadonlyMap<string, SharedMesh>, iterationsCompleted: number, runId: string): void;
  /**
   * A run in time: called after every window with every mesh as the window
   * left it (components wait for the next window meanwhile), its index and end time.
   */
  windowDone?(meshes: ReadonlyMap<string, SharedMesh>, window: number, end: number, runId: string): void;
  /** Where components' output goes (default process.stderr, prefixed). */
  output?: OutputSink | null;
  /** Where a VM enclave shows the build of its image when it must make one (EnclaveOptions.imageProgress). */
  imageProgress?: EnclaveOptions["imageProgress"];
  /** Command-queue round trips to measure before the loop (ping/pong), per component. */
  pings?: number;
  /**
   * Called once every component has connected and its meshes are checked,
   * before the loop: the moment to look at the running components (their
   * loaded libraries, their environment) for the run record.
   */
  onReady?(components: readonly { component: string; enclave: Enclave }[]): void;
  /** Called around every iteration by benchmarks that explain outliers; absent in normal runs. */
  probe?: IterationProbe;
  /** Called once before the loop with what a live view reads of the run (in its onIteration calls). */
  watch?(sources: LiveRunSources): void;
}

export type { IterationProbe } from "./schemes/iteration-loop.ts";

export interface EnclaveRecord {
  component: string;
  kind: string;
  pid: number;
  description: unknown;
  exit?: ExitStatus;
  /** A component on another node: what its relay moved (docs/cluster.md). */
  link?: LinkCounters;
  /** What its enclave's cgroup saw: peak memory, CPU time, the limits (a component of many ranks: per rank). */
  resources?: ResourceUsage;
  rankResources?: (ResourceUsage | null)[];
}

export interface CouplingResult {
  runId: string;
  /** Iterations, or windows of a run in time, completed. */
  iterationsCompleted: number;
  timings: PhaseTimings;
  setupMs: Record<string, number>;
  /** Every component the run launched or meant to, with how it ended once the run had stopped it. */
  enclaves: EnclaveRecord[];
  /** A run in time: every window's iterations, residuals and acceleration (of a failed run, those completed). */
  convergence?: WindowConvergence[];
  /** Components of many ranks: each rank's step times (ns), step by step, for load imbalance. */
  rankSteps?: Record<string, number[][]>;
  /** Transfers applied on another node than the driver's (their target's): label → node (docs/cluster.md). */
  appliedOn?: Record<string, string>;
}

/** Attached to the error a failed run ends with, as `partial`: what it completed before it failed. */
export type PartialResult = CouplingResult;

const NS_PER_MS = 1e6;
/** How long a run waits, once its components have ended, for the rest of their output (enclaves drain in 1 s). */
const OUTPUT_WAIT_MS = 2000;

/** "appA step" etc.: the phases every run records. */
export function phaseNames(plan: CouplingPlan): string[] {
  if (plan.time !== undefined)
    return [...timePhaseNames(plan), ...plan.components.map((component) => commandQueuePhase(component.name))];
  return [
    ...plan.order.map((name) => `${name} step`),
    ...plan.transfers.map((transfer) => `${fieldLabel(transfer.from)} → ${fieldLabel(transfer.to)}`),
    ...plan.components.map((component) => commandQueuePhase(component.name)),
    "iteration",
  ];
}

/** "appA command queue": the ping → pong round trips with one component, measured before the loop. */
export function commandQueuePhase(component: string): string {
  return `${component} command queue`;
}

export async function runCoupling<OperatorSpec>(
  plan: CouplingPlan<OperatorSpec>,
  hooks: DriverHooks<OperatorSpec>,
): Promise<CouplingResult> {
  // The driver handles SIGINT/SIGTERM itself: a wait notices them through the
  // native flag, the async phases through this listener, and cleanup runs once.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
  };
  /** A wait noticed the native signal flag before the listener ran. */
  let handledInterruption = false;
  const participants = new Map<string, Participant>();
  const meshes = new Map<string, SharedMesh>();
  const givenPoints = new Map<string, Float64Array>();
  /** The snapshots of asynchronous couplings, mapped to check them (the driver never reads their data). */
  const snapshots: SnapshotReader[] = [];
  const loopSamples = plan.time === undefined ? plan.iterations : timeTimingCapacity(plan.time);
  const timings = new PhaseTimings(phaseNames(plan), Math.max(loopSamples, hooks.pings ?? 0, 1));
  const pingPhases = new Set(plan.components.map((component) => commandQueuePhase(component.name)));
  const setupMs: Record<string, number> = {};
  const progress: RunProgress = { window: -1, iteration: -1, phase: "startup", completed: 0 };
  let waveforms: SharedWaveform[] = [];
  let history: WindowConvergence[] | undefined;
  let timeRun: TimeRun | undefined;
  let remoteOperators: RemoteOperatorPlacement | undefined;
  /** Whether the results were handed to hooks.collect already (it is called once). */
  let collected = false;
  // Created before the listeners: a run that cannot even be created leaves none behind.
  const run = Run.create({ handleSignals: false });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  /** What the run produced: returned when it completes, attached to the error (`partial`) when it fails. */
  const summary = (enclaves: EnclaveRecord[]): CouplingResult => ({
    runId: run.id,
    iterationsCompleted: progress.completed,
    timings,
    setupMs,
    enclaves,
    ...(history === undefined ? {} : { convergence: history }),
    ...rankStepsOf(participants),
    ...(remoteOperators === undefined || Object.keys(remoteOperators.appliedOn).length === 0
      ? {}
      : { appliedOn: remoteOperators.appliedOn }),
  });
  try {
    for (const component of plan.components) {
      const description = `component "${component.name}" (${component.kind} enclave)`;
      const enclave = createRankedEnclave(
        component,
        {
          ...component.launch,
          name: component.name,
          runDirectory: run.directory,
          env: {
            ...component.launch.env,
            [WAIT_VARIABLE]: JSON.stringify(componentWait(plan)),
            ...snapshotNames(plan, component.name),
          },
        },
        {
          handleSignals: false,
          ...(hooks.output === undefined ? {} : { output: hooks.output }),
          ...(hooks.imageProgress === undefined ? {} : { imageProgress: hooks.imageProgress }),
        },
      );
      // Where a futex wake cannot cross (a VM's guest kernel), the driver spins,
      // yielding, instead of sleeping in 10 ms slices it would never be woken from.
      const wait = enclave.sharesFutexes ? plan.wait : { ...plan.wait, kind: "spin" as const };
      const link =
        (component.ranks ?? 1) > 1
          ? createRankGroupLink(run, component, enclave, {
              wait,
              timed: plan.time !== undefined,
              capacity: loopSamples,
            })
          : new ComponentLink(run, component.name, {
              wait,
              timed: plan.time !== undefined,
              description,
              peer: {
                isAlive: () => enclave.isAlive(),
                identity: () => ({ description, pid: enclave.hasExited() || !started(enclave) ? 0 : enclave.pid }),
              },
            });
      participants.set(component.name, { plan: component, enclave, link, stepPhase: `${component.name} step` });
    }
    for (const participant of participants.values()) {
      await participant.enclave.start().catch((error: unknown) => {
        throw failure(participant, -1, "startup", `could not be launched: ${(error as Error).message}`);
      });
    }
    await awaitHellos(participants, plan.startupTimeoutMs, () => interrupted);
    progress.phase = "mesh check";
    for (const participant of participants.values()) {
      for (const [meshName, expected] of Object.entries(participant.plan.meshes)) {
        const index = (plan.snapshots ?? []).findIndex(
          (snapshot) => snapshot.from.component === participant.plan.name && snapshot.from.mesh === meshName,
        );
        if (index >= 0) {
          snapshots.push(openCheckedSnapshot(participant, meshName, expected, index));
          continue;
        }
        const mesh = openCheckedMesh(participant, meshName, expected, plan);
        meshes.set(`${participant.plan.name}.${meshName}`, mesh);
        const given = participant.plan.givenCoordinates?.[meshName];
        if (given !== undefined) {
          // The composition's points: the component reads them from its first step on.
          if (given.length !== mesh.coordinates.length) {
            throw failure(
              participant,
              -1,
              "mesh check",
              `published mesh "${meshName}" with ${mesh.spec.count} points; its file has ${given.length / mesh.spec.dimension}`,
            );
          }
          mesh.coordinates.set(given);
          if (participant.link instanceof RankGroupLink) participant.link.bridge?.scatterCoordinates(meshName);
          givenPoints.set(`${participant.plan.name}.${meshName}`, given);
        }
      }
      // The union starts with what the ranks wrote before their hello (the initial values).
      if (participant.link instanceof RankGroupLink) participant.link.bridge?.gatherFields();
    }
    progress.phase = "transfer setup";
    const transfers = bindTransfers(plan.transfers, meshes, givenPoints, hooks, setupMs);
    // Damage to shared memory is caught where it happens, in either loop, and blamed on whose it is.
    const free = [...participants.values()].filter((participant) => !plan.order.includes(participant.plan.name));
    const guard: RunGuard = {
      truncation: (iteration, phase) => throwIfTruncated(participants, run.directory, iteration, phase, true),
      nonFinite: (transfer, point, iteration, phase) => nonFinite(participants, transfer, point, iteration, phase),
      ...(free.length === 0 ? {} : { freeRunning: (iteration: number) => checkFreeRunning(free, iteration) }),
    };
    if (plan.time !== undefined) {
      progress.phase = "waveform setup";
      const created = createTimeWaveforms(
        run,
        plan,
        transfers.map((transfer) => transfer.operator),
        meshes,
      );
      waveforms = created.all;
      for (const participant of participants.values()) {
        const bridge = participant.link instanceof RankGroupLink ? participant.link.bridge : undefined;
        if (bridge !== undefined) addPartitionWaveforms(bridge, run, created);
      }
      timeRun = buildTimeRun(plan, participants, created, timings, progress, plan.stepTimeoutMs * NS_PER_MS, {
        ...(hooks.onIteration === undefined ? {} : { onWindow: hooks.onIteration }),
        ...(hooks.windowDone === undefined
          ? {}
          : { windowDone: (window: number, end: number) => hooks.windowDone?.(meshes, window, end, run.id) }),
        truncation: guard.truncation,
      });
      history = timeRun.history;
    }
    // An iteration run's sparse operators onto a component of one rank on another node are applied there.
    if (plan.time === undefined)
      remoteOperators = placeRemoteOperators(run, participants, plan.transfers, transfers, meshes);
    // Exports of every value each window read every value: then nothing is declared, and all of it crosses.
    if (hooks.windowDone === undefined) {
      // A target whose operator is applied on its node has nothing read of its fields here: they cross at bye.
      const targetHeads = remoteOperators?.targetHeads ?? [];
      declareRemoteReads(run, participants, [...readSources(plan, transfers, meshes, waveforms), ...targetHeads]);
    }
    hooks.onReady?.(
      [...participants.values()].map((participant) => ({
        component: participant.plan.name,
        enclave: participant.enclave,
      })),
    );
    hooks.watch?.({
      runId: run.id,
      meshes,
      phaseSamples: () => {
        setCounts(timings, plan, timeRun, progress.completed, pingPhases);
        return phaseNames(plan).map((phase) => ({ phase, samples: timings.raw(phase) }));
      },
      windows: () => history ?? [],
      setupMs,
    });
    for (const participant of participants.values()) participant.link.acknowledge();

    const stepNs = plan.stepTimeoutMs * NS_PER_MS;
    const pings = hooks.pings ?? 0;
    // Every component's command queue, one after the other, while the others wait for their first go.
    for (const participant of pings > 0 ? participants.values() : []) {
      progress.phase = commandQueuePhase(participant.plan.name);
      const recorder = timings.recorder(progress.phase).values;
      for (let index = 0; index < pings; index++) {
        const started = native.monotonicNs();
        participant.link.ping(stepNs);
        recorder[index] = native.monotonicNs() - started;
      }
      timings.setCount(progress.phase, pings);
    }

    if (timeRun !== undefined) {
      runScheme((plan.time as NonNullable<CouplingPlan["time"]>).scheme, timeRun);
    } else {
      const steps = plan.order.map((name) => participants.get(name) as Participant);
      const finiteOnly = plan.checkFinite !== false;
      const loopTransfers = remoteOperators?.transfers ?? transfers;
      runIterations(steps, loopTransfers, plan.iterations, stepNs, timings, hooks, progress, guard, finiteOnly);
    }
    setCounts(timings, plan, timeRun, progress.completed, pingPhases);
    // A shrink within a segment's last page raises no SIGBUS, so it has no mark: measure every file once.
    throwIfTruncated(participants, run.directory, -1, "the check after the loop", true);

    progress.phase = "shutdown";
    progress.iteration = -1;
    progress.window = -1;
    for (const participant of participants.values()) participant.link.stop(stepNs);
    collected = true;
    hooks.collect?.(meshes, progress.completed, run.id);
    // All at once: the first to end badly ends the run, whoever else is still on its way out.
    const enclaves = await Promise.all(
      [...participants.values()].map(async (participant) => {
        const exit = await withTimeout(participant.enclave.ended, plan.stepTimeoutMs);
        if (exit === undefined) await participant.enclave.stop();
        // Killed or crashed on its way out, after its bye: the run did not end well.
        else if (exit.cause !== "stop" && (exit.code !== 0 || exit.signal !== null))
          throw failure(participant, -1, progress.phase, `${describeExit(exit)} after it said bye`, exit);
        return { ...record(participant, exit), ...linkOf(run, participant) };
      }),
    );
    return summary(enclaves);
  } catch (error) {
    handledInterruption = error instanceof InterruptedError;
    setCounts(timings, plan, timeRun, progress.completed, pingPhases);
    const cause = await explain(error, { participants, progress, interrupted, run });
    try {
      if (!collected) hooks.collect?.(meshes, progress.completed, run.id);
    } catch {
      // Saving partial results must not hide the failure that ended the run.
    }
    // What the run produced before it failed travels with the error, so the run record can keep it,
    // with every component's end.
    const enclaves = await endAll(participants);
    const partial: PartialResult = summary(enclaves);
    throw Object.assign(cause, { partial });
  } finally {
    await endAll(participants);
    // What a component printed before it ended belongs to the run (its last line often says why it failed):
    // the run returns once it reached the sink, which the enclave bounds by its own drain limit.
    await Promise.all(
      [...participants.values()].map((participant) => withTimeout(participant.enclave.exited, OUTPUT_WAIT_MS)),
    );
    await timeRun?.accelerated?.acceleration.close?.();
    for (const waveform of waveforms) waveform.close();
    remoteOperators?.close();
    for (const snapshot of snapshots) snapshot.close();
    for (const mesh of meshes.values()) mesh.close();
    for (const participant of participants.values()) participant.link.close();
    run.close();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    // The interruption has been handled: later waits in this process must not see it again.
    if (interrupted !== undefined || handledInterruption) native.clearPendingSignal();
  }
}

/** Each ranked component's per-rank step times, as many steps as were taken. */
function rankStepsOf(participants: Map<string, Participant>): Pick<CouplingResult, "rankSteps"> {
  const steps: Record<string, number[][]> = {};
  for (const participant of participants.values()) {
    const link = participant.link;
    if (!(link instanceof RankGroupLink)) continue;
    steps[participant.plan.name] = link.rankSteps.map((times) => Array.from(times.subarray(0, link.samples)));
  }
  return Object.keys(steps).length === 0 ? {} : { rankSteps: steps };
}

function started(enclave: Enclave): boolean {
  try {
    return enclave.pid > 0;
  } catch {
    return false;
  }
}

/**
 * Stops every component and waits until each has ended (its output may still
 * be on its way to the sink: the run waits for it after); says how each ended.
 */
async function endAll(participants: Map<string, Participant>): Promise<EnclaveRecord[]> {
  return Promise.all(
    [...participants.values()].map(async (participant) => {
      const exit = await Promise.race([
        participant.enclave.stop(500).catch(() => undefined),
        participant.enclave.ended,
      ]);
      return record(participant, exit);
    }),
  );
}

function record(participant: Participant, exit: ExitStatus | undefined): EnclaveRecord {
  let description: unknown;
  try {
    description = participant.enclave.describe();
  } catch {
    // never launched: there is nothing running to describe
    description = { kind: participant.plan.kind, name: participant.plan.name };
  }
  return {
    component: participant.plan.name,
    kind: participant.plan.kind,
    pid: started(participant.enclave) ? participant.enclave.pid : 0,
    description,
    ...(exit === undefined ? {} : { exit }),
    // A component on another node is its relay here: the relay's usage is not the component's.
    ...(participant.plan.node === undefined ? resourcesOf(participant) : {}),
  };
}

/** The enclave's cgroup usage for the record: its own, or each rank's. */
function resourcesOf(participant: Participant): Pick<EnclaveRecord, "resources" | "rankResources"> {
  const enclave = participant.enclave;
  if (enclave instanceof EnclaveGroup) {
    // A rank on another node is its relay here: what the relay used is not the rank's.
    const placements = participant.plan.rankPlacements;
    const ranks = enclave.memberUsage().map((usage, rank) => (placements?.[rank] === undefined ? usage : undefined));
    return ranks.every((usage) => usage === undefined) ? {} : { rankResources: ranks.map((usage) => usage ?? null) };
  }
  const usage = enclave.resourceUsage();
  return usage === undefined ? {} : { resources: usage };
}

/** What the relay of a component on another node moved, from the segment it kept; nothing when it kept none fit to read. */
function linkOf(run: Run, participant: Participant): { link?: LinkCounters } {
  if (participant.plan.node === undefined) return {};
  const name = linkCountersSegmentName(participant.plan.name);
  if (!run.segments().some((entry) => entry.name === name)) return {};
  const segment = run.openSegment(name);
  try {
    const counters = readLinkCounters(new DataView(segment.buffer, segment.payloadOffset, segment.payloadSize));
    return typeof counters === "string" ? {} : { link: counters };
  } finally {
    segment.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits, without blocking the event loop (workers need it to start), for every hello. */
/** The rank whose end made a group of ranks not alive: the first to end badly, once its end is known. */
async function firstBadRank(group: EnclaveGroup): Promise<number | undefined> {
  await withTimeout(group.ended, 1000);
  if (group.firstBadEnd !== undefined) return group.firstBadEnd.rank;
  const dead = group.members.findIndex((member) => !member.isAlive());
  return dead >= 0 ? dead : undefined;
}

async function awaitHellos(
  participants: Map<string, Participant>,
  timeoutMs: number,
  interrupted: () => NodeJS.Signals | undefined,
): Promise<void> {
  const waiting = new Set(participants.values());
  const deadline = Date.now() + timeoutMs;
  while (waiting.size > 0) {
    for (const participant of waiting) {
      let said: boolean;
      try {
        said = participant.link.pollHello();
      } catch (error) {
        if (!(error instanceof RankClaimedTwice)) throw error;
        throw failure(participant, -1, "startup", error.message, undefined, error.rank);
      }
      if (said) {
        waiting.delete(participant);
      } else if (participant.enclave.hasExited() || !participant.enclave.isAlive()) {
        const enclave = participant.enclave;
        const rank = enclave instanceof EnclaveGroup ? await firstBadRank(enclave) : undefined;
        const exit = await withTimeout(
          rank === undefined ? enclave.ended : (enclave as EnclaveGroup).member(rank).ended,
          1000,
        );
        throw failure(
          participant,
          -1,
          "startup",
          `${exit === undefined ? "ended" : describeEnd(participant, exit)} before it said hello`,
          exit,
          rank,
        );
      }
    }
    const signal = interrupted();
    if (signal !== undefined) throw new InterruptedError(`interrupted by ${signal}`, 2);
    if (waiting.size === 0) break;
    if (Date.now() > deadline) {
      const late = waiting.values().next().value as Participant;
      const silent = late.link instanceof RankGroupLink ? late.link.silentRanks() : [];
      const who = silent.length === 0 ? "" : ` (rank${silent.length > 1 ? "s" : ""} ${silent.join(", ")} did not)`;
      throw failure(
        late,
        -1,
        "startup",
        `did not publish its meshes and say hello within ${timeoutMs} ms${who}`,
        undefined,
        silent.length === 1 ? silent[0] : undefined,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function openCheckedMesh(
  participant: Participant,
  meshName: string,
  expected: ComponentPlan["meshes"][string],
  plan: CouplingPlan,
): SharedMesh {
  const link = participant.link;
  if (link instanceof RankGroupLink) {
    link.bridge ??= new PartitionBridge(participant.plan.name, link.ranks);
    try {
      return openPartitions(link, link.bridge, meshName, expected, plan);
    } catch (error) {
      if (!(error instanceof PartitionError)) throw error;
      throw failure(participant, -1, "mesh check", error.reason, undefined, error.rank);
    }
  }
  const where = `mesh "${meshName}"`;
  let mesh: SharedMesh;
  try {
    mesh = (link as ComponentLink).openMesh(meshName);
  } catch (error) {
    throw failure(
      participant,
      -1,
      "mesh check",
      `published malformed metadata for ${where}: ${(error as Error).message}`,
    );
  }
  const problems = specDifferences(mesh.spec, expected);
  if (mesh.spec.count === 0) problems.push("0 points (a mesh of a component of one rank needs at least one)");
  if (problems.length > 0) {
    mesh.close();
    throw failure(participant, -1, "mesh check", `published ${where} unlike its declaration: ${problems.join("; ")}`);
  }
  return mesh;
}

/**
 * A mesh an asynchronous coupling reads is shared as a snapshot: mapped, its metadata checked against the
 * declaration. A component that shared it as a plain mesh is told which call it needed.
 */
function openCheckedSnapshot(
  participant: Participant,
  meshName: string,
  expected: ComponentPlan["meshes"][string],
  index: number,
): SnapshotReader {
  const component = participant.plan.name;
  const name = snapshotSegmentName(component, meshName);
  const where = `snapshot "${meshName}"`;
  let snapshot: SnapshotReader;
  try {
    if (participant.link instanceof RankGroupLink) {
      throw new Error(`a mesh of ${participant.plan.ranks} ranks cannot be shared as a snapshot`);
    }
    snapshot = SnapshotReader.open(participant.link.run, name);
  } catch (error) {
    const asMesh = participant.link.run.registry.lookup(`${component}.mesh.${meshName}`) !== undefined;
    const reason = asMesh
      ? `shared "${meshName}" as a mesh, but asynchronous[${index}] reads it as a snapshot: share it with share_snapshot (Python) instead of share_mesh`
      : error instanceof SegmentHeaderError || error instanceof MeshMetadataError
        ? `published malformed metadata for ${where}: ${(error as Error).message}`
        : `did not share ${where}, which asynchronous[${index}] reads: ${(error as Error).message}`;
    throw failure(participant, -1, "mesh check", reason);
  }
  const problems = specDifferences(snapshot.spec, expected);
  if (problems.length > 0) {
    snapshot.close();
    throw failure(participant, -1, "mesh check", `published ${where} unlike its declaration: ${problems.join("; ")}`);
  }
  return snapshot;
}

/** CONFLUX_SNAPSHOTS for a component that reads snapshots: its name for each → the segment's. */
function snapshotNames(plan: CouplingPlan, component: string): Record<string, string> {
  const read = (plan.snapshots ?? []).filter((snapshot) => snapshot.to.component === component);
  if (read.length === 0) return {};
  const names = Object.fromEntries(
    read.map((snapshot) => [snapshot.to.name, snapshotSegmentName(snapshot.from.component, snapshot.from.mesh)]),
  );
  return { [SNAPSHOTS_VARIABLE]: JSON.stringify(names) };
}

/** Why a component that runs free failed the run; said again with its exit status once that is known. */
const FREE_RUNNING_END = "ended while the run went on (it reads snapshots)";

/** A component that runs free (it only reads snapshots) must not end before the run does. */
function checkFreeRunning(free: readonly Participant[], iteration: number): void {
  for (const participant of free) {
    if (participant.enclave.hasExited() || !participant.enclave.isAlive())
      throw failure(participant, iteration, "running free", FREE_RUNNING_END);
  }
}

function bindTransfers<OperatorSpec>(
  transfers: TransferPlan<OperatorSpec>[],
  meshes: Map<string, SharedMesh>,
  givenPoints: ReadonlyMap<string, Float64Array>,
  hooks: DriverHooks<OperatorSpec>,
  setupMs: Record<string, number>,
): BoundTransfer[] {
  return transfers.map((transfer) => {
    const label = `${fieldLabel(transfer.from)} → ${fieldLabel(transfer.to)}`;
    const source = meshes.get(`${transfer.from.component}.${transfer.from.mesh}`);
    const target = meshes.get(`${transfer.to.component}.${transfer.to.mesh}`);
    if (source === undefined || target === undefined)
      throw new Error(`transfer ${label}: a mesh it names is not declared`);
    const started = native.monotonicNs();
    const operator = hooks.buildOperator(
      pointSet(source, givenPoints.get(`${transfer.from.component}.${transfer.from.mesh}`)),
      pointSet(target, givenPoints.get(`${transfer.to.component}.${transfer.to.mesh}`)),
      transfer.operator,
    );
    setupMs[label] = (native.monotonicNs() - started) / NS_PER_MS;
    const from = transfer.from;
    return { label, from, operator, source: source.field(from.field), target: target.field(transfer.to.field) };
  });
}

function pointSet(mesh: SharedMesh, given: Float64Array | undefined): PointSet {
  // A copy: the component could change its coordinates after they were checked, under the operator being
  // built. Points the composition gives are the driver's own, whatever the component writes over them.
  return pointSetFromMetadata(
    mesh.spec,
    given ?? mesh.coordinates.slice(),
    `mesh "${mesh.name}" of component "${mesh.component}"`,
  );
}

/** The failure of `participant`; `window` is the window of a run in time (-1: none). */
function failure(
  participant: Participant,
  iteration: number,
  phase: string,
  reason: string,
  exit?: ExitStatus,
  rank?: number,
  window = -1,
): CouplingFailure {
  const link = participant.link;
  const ranked = rank !== undefined && link instanceof RankGroupLink;
  const remote = participant.plan.node !== undefined && link instanceof ComponentLink;
  const rankNode = ranked ? participant.plan.rankPlacements?.[rank]?.node : undefined;
  const node = rankNode ?? participant.plan.node;
  return new CouplingFailure({
    component: participant.plan.name,
    ...(ranked ? { rank } : {}),
    enclave: participant.plan.kind,
    ...(node === undefined ? {} : { node }),
    // A component on another node: its own pid there, which its relay keeps in the channel.
    pid: ranked
      ? rankPid(participant.enclave, link, rank, rankNode !== undefined)
      : remote
        ? link.channel.componentPid || undefined
        : started(participant.enclave)
          ? participant.enclave.pid
          : undefined,
    iteration,
    ...(window >= 0 ? { window } : {}),
    phase,
    reason,
    ...(exit === undefined ? {} : { exit }),
  });
}

/** How many samples each phase of the loop holds: iterations (or windows), and in a run in time per phase. */
function setCounts(
  timings: PhaseTimings,
  plan: CouplingPlan,
  run: TimeRun | undefined,
  completed: number,
  pingPhases: ReadonlySet<string>,
): void {
  for (const name of phaseNames(plan)) {
    if (pingPhases.has(name)) continue;
    const count =
      plan.time === undefined
        ? completed
        : name === "window"
          ? completed
          : name === "convergence"
            ? (run?.measured ?? 0)
            : name === "acceleration"
              ? (run?.accelerations ?? 0)
              : (run?.iterations ?? 0);
    timings.setCount(name, count);
  }
}

/** What the driver knows of a run that ended in an error, for explaining it. */
interface FailedRun {
  participants: Map<string, Participant>;
  progress: RunProgress;
  /** The signal that interrupted the run, if one did. */
  interrupted: NodeJS.Signals | undefined;
  run: Run;
}

/** Turns whatever ended the run into one CouplingFailure naming the component. */
async function explain(error: unknown, failed: FailedRun): Promise<Error> {
  const { progress, interrupted, run } = failed;
  const { iteration, phase } = progress;
  const cause = await explainFailure(error, failed);
  // A component misled by a registry another process scribbled fails in its own words: the scribble is the
  // cause, and the registry is named with what failed next.
  const damage = run.registry.geometryDamage();
  if (damage === undefined || interrupted !== undefined || truncationFailures.has(cause)) return cause;
  return overwrittenRegistry(run.registryPath, damage, iteration, phase, cause);
}

async function explainFailure(error: unknown, failed: FailedRun): Promise<Error> {
  const { participants, progress, interrupted } = failed;
  const runDirectory = failed.run.directory;
  const { iteration, phase, window } = progress;
  // A truncated segment reads as zeros, which the ring and mesh checks report as garbage, and a component
  // whose own segment was cut may exit: the truncation is the cause, whatever else was seen first.
  if (!truncationFailures.has(error as Error)) {
    try {
      throwIfTruncated(participants, runDirectory, iteration, phase, true);
    } catch (truncated) {
      return truncated as Error;
    }
  }
  if (error instanceof CouplingFailure) {
    const participant = participants.get(error.details.component);
    // Only a component that has ended has an exit status to wait for; a live one ends when it is stopped.
    const ending = participant !== undefined && (participant.enclave.hasExited() || !participant.enclave.isAlive());
    if (participant !== undefined && ending && error.details.exit === undefined) {
      const exit = await withTimeout(participant.enclave.ended, 1000);
      if (exit !== undefined && error.details.reason === FREE_RUNNING_END) {
        const reason = `${describeExit(exit)} while the run went on (it reads snapshots)`;
        return new CouplingFailure({ ...error.details, reason, exit });
      }
      if (exit !== undefined) return new CouplingFailure({ ...error.details, exit });
    }
    return error;
  }
  if (error instanceof InterruptedError || interrupted !== undefined) {
    const signal = interrupted ?? "SIGINT";
    const where =
      window >= 0
        ? `in window ${window} (iteration ${iteration}), phase "${phase}"`
        : iteration < 0
          ? `during ${phase}`
          : `in iteration ${iteration}, phase "${phase}"`;
    return new Error(`interrupted by ${signal} ${where}; every component was stopped and the run's segments removed`);
  }
  const participant = participantOf(error, participants, phase);
  if (participant === undefined) return error instanceof Error ? error : new Error(String(error));
  // An error of one rank's channel names that rank, its pid and, for a rank the driver started, its own end.
  const rank = rankOf(error);
  const group = participant.enclave instanceof EnclaveGroup ? participant.enclave : undefined;
  const endedOf = (participant: Participant): Promise<ExitStatus> =>
    rank !== undefined && group !== undefined ? group.member(rank).ended : participant.enclave.ended;
  const failureOf = (participant: Participant, iteration: number, phase: string, reason: string, exit?: ExitStatus) =>
    failure(participant, iteration, phase, reason, exit, rank, window);
  if (error instanceof ProtocolViolation) {
    return failureOf(participant, iteration, phase, error.reason, await withTimeout(endedOf(participant), 200));
  }
  if (
    (error instanceof PeerDiedError || error instanceof PeerClosedError) &&
    rank !== undefined &&
    group === undefined
  ) {
    // A rank under mpirun is mpirun's child: mpirun takes the job down when a rank dies and says how it ended.
    await withTimeout(participant.enclave.ended, MPIRUN_TEARDOWN_MS);
    const output = participant.enclave.output();
    const end = rankEndFromMpirun(`${output.stderr}\n${output.stdout}`, rank);
    if (end !== undefined) return failureOf(participant, iteration, phase, describeExit(end), end);
  }
  if (error instanceof PeerDiedError || error instanceof PeerClosedError) {
    // A component that closed its channel usually exits next: a moment for its exit status, no more.
    const closedFirst = error instanceof PeerClosedError && participant.enclave.isAlive();
    const exit = await withTimeout(endedOf(participant), closedFirst ? 300 : 1000);
    const running = exit === undefined && participant.enclave.isAlive();
    const ended =
      exit !== undefined
        ? describeEnd(participant, exit, rank)
        : running
          ? "closed its channel while it still ran"
          : "stopped answering: it closed its channel or died";
    const ringState = (error as { ringState?: string }).ringState;
    const reason =
      ringState === undefined ? ended : `${ended} without saying bye (its ring to the driver: ${ringState})`;
    return failureOf(participant, iteration, phase, reason, exit);
  }
  if (error instanceof QueueTimeoutError) {
    const limit = error.message.match(/within ([\d.]+ ms)/)?.[1] ?? "the step timeout";
    const exit = await participant.enclave.stop(200);
    return failureOf(
      participant,
      iteration,
      phase,
      `did not answer within ${limit} (the step timeout); it was stopped`,
      exit,
    );
  }
  let reason: string;
  if (error instanceof CorruptRecordError || error instanceof QueueError) reason = `sent garbage: ${error.message}`;
  else if (error instanceof MeshMetadataError) reason = `published malformed metadata: ${error.message}`;
  else reason = `failed: ${(error as Error).message}`;
  const ending = participant.enclave.hasExited() || !participant.enclave.isAlive();
  return failureOf(
    participant,
    iteration,
    phase,
    reason,
    ending ? await withTimeout(participant.enclave.ended, 200) : undefined,
  );
}

/**
 * Throws the failure a truncated segment of the run makes, blamed on its component: a segment marked by the
 * SIGBUS handler, or with `measure` also one whose file is found short (one fstat per segment).
 */
function throwIfTruncated(
  participants: Map<string, Participant>,
  runDirectory: string,
  iteration: number,
  phase: string,
  measure = false,
): void {
  const truncation = firstTruncation(measure, runDirectory);
  if (truncation === undefined) return;
  const blame = blameTruncation(truncation, [...participants.keys()]);
  const participant = blame === undefined ? undefined : participants.get(blame.component);
  const error =
    blame === undefined || participant === undefined
      ? orphanTruncation(truncation, iteration, phase)
      : failure(participant, iteration, phase, blame.reason);
  truncationFailures.add(error);
  throw error;
}

/**
 * How long a failure waits for mpirun to end after one of its ranks went: it kills the other ranks and prints
 * its report (under a second here); the report names the rank's signal or exit code.
 */
const MPIRUN_TEARDOWN_MS = 5000;

/** How a component (or its rank) ended, in words; for one on another node whose relay lost the node, that it was lost. */
function describeEnd(participant: Participant, exit: ExitStatus, rank?: number): string {
  const node =
    (rank === undefined ? undefined : participant.plan.rankPlacements?.[rank]?.node) ?? participant.plan.node;
  if (node !== undefined && exit.code === NODE_LOST_EXIT) {
    return `was lost with its node ${node}: the node's agent went silent or its connection failed (the line above says which)`;
  }
  return describeExit(exit);
}

/** The errors throwIfTruncated made: already the cause, so explain() passes them on as they are. */
const truncationFailures = new WeakSet<Error>();

/** A NaN or ±Infinity at `point` of the field `transfer` carries, blamed on the component that wrote it. */
function nonFinite(
  participants: Map<string, Participant>,
  transfer: GuardedTransfer,
  point: number,
  iteration: number,
  phase: string,
): CouplingFailure {
  const { component, mesh, field } = transfer.from;
  // Read again for the message only: the component may have changed it since the check.
  const value = transfer.source[point] as number;
  const participant = participants.get(component) as Participant;
  return failure(
    participant,
    iteration,
    phase,
    `wrote ${Number.isFinite(value) ? "a non-finite value" : value} into field "${field}" of mesh "${mesh}" at ${describePoint(participant.link, mesh, point)} (its first non-finite value); the driver carries only finite values unless coupling.check_finite is false`,
    undefined,
    rankedPoint(participant.link, mesh, point)?.rank,
  );
}

/** The component an error is about: the one whose channel raised it, else the one whose phase it was. */
function participantOf(error: unknown, participants: Map<string, Participant>, phase: string): Participant | undefined {
  const message = error instanceof Error ? error.message : "";
  for (const participant of participants.values()) {
    const name = participant.plan.name;
    if (
      message.includes(`channel "${name}.channel"`) ||
      message.includes(`component "${name}"`) ||
      message.includes(`channel "${name}@`) ||
      message.includes(`component "${name}@`)
    ) {
      return participant;
    }
  }
  for (const participant of participants.values())
    if (phase.startsWith(`${participant.plan.name} `)) return participant;
  return undefined;
}

/** Beyond the plan's own timeouts, what a component's wait allows for transfer setup, which has none. */
const COMPONENT_WAIT_MARGIN_MS = 120_000;

/**
 * How the components wait. Between its ACK and its first go, or between two
 * goes, a component waits for the others' steps and the transfers, which the
 * driver bounds by its own timeouts and watches; so unless the plan says
 * otherwise, a component's wait allows for all of them (a VM booting, a slow
 * first step) instead of the queue's default 30 s, and a driver that dies is
 * noticed by liveness, not by this timeout.
 */
function componentWait(plan: CouplingPlan): CouplingPlan["wait"] {
  if (plan.wait.timeoutNs !== undefined) return plan.wait;
  const boundMs = plan.startupTimeoutMs + plan.components.length * plan.stepTimeoutMs + COMPONENT_WAIT_MARGIN_MS;
  return { ...plan.wait, timeoutNs: Math.max(DEFAULT_WAIT.timeoutNs, boundMs * NS_PER_MS) };
}
