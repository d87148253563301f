// Runs a composition and leaves its record: validate the file (refusing an
// invalid one before anything starts), hash its inputs, drive the coupling,
// look at every running component once they have all connected (what they
// loaded, what they run on), and write run.json plus every field — on success
// and on failure alike.

import { readFileSync } from "node:fs";
import { hostname, release, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { loadComposition, parseComposition } from "../compose/load.ts";
import { CompositionError } from "../compose/problem.ts";
import { CouplingFailure } from "../coupling/coupling-failure.ts";
import { type CouplingResult, type EnclaveRecord, type PartialResult, runCoupling } from "../coupling/driver.ts";
import type { LiveRunSources } from "../coupling/live-sources.ts";
import type { PhaseTimings } from "../coupling/phase-timings.ts";
import { type CouplingPlan, fieldLabel, type TimePlan } from "../coupling/plan.ts";
import type { Enclave, EnclaveOptions } from "../enclave/enclave.ts";
import type { EnclaveDescription } from "../enclave/environment-description.ts";
import type { OutputSink } from "../enclave/output-capture.ts";
import { cgroupHost } from "../enclave/resources/cgroup-host.ts";
import { createOperator, type TransferSpec } from "../mapping/index.ts";
import { type MeshValues, VtuSeries } from "../meshfile/index.ts";
import { ensureSdkBundle } from "../platform/sdk-bundle.ts";
import { compositionInputs } from "../record/composition-inputs.ts";
import { captureEnvironment, type EnclaveEnvironment } from "../record/enclave-environment.ts";
import { randomSeeds } from "../record/random-seeds.ts";
import { rankImbalance } from "../record/rank-imbalance.ts";
import {
  copyComposition,
  createRecordDirectory,
  type DriverEntry,
  type EnclaveEntry,
  type FieldFile,
  type PhaseHistogramUs,
  phaseHistograms,
  phaseSummaries,
  type ReplayOf,
  RUN_RECORD_FORMAT,
  RUN_RECORD_VERSION,
  type RunRecord,
  saveFields,
  sha256,
  type TimeEntry,
  type TimingSummary,
  type TransferEntry,
  type WindowConvergenceEntry,
  writeRunRecord,
} from "../record/run-record.ts";
import { redactSecrets } from "../record/secret-redaction.ts";
import { confluxVersion, hostCompiler } from "../record/software-versions.ts";
import type { SharedMesh } from "../shm/shared-mesh.ts";
import { stackSpecProblem } from "../stack/stack-spec.ts";
import { RUN_DIRECTORY_VARIABLE } from "../wire/environment.ts";
import { couplingPlan } from "./coupling-plan.ts";
import { type NodeAgents, startNodeAgents } from "./node-agents.ts";
import { driverNodeProblem, placementProblem } from "./node-placement.ts";
import { placeRemoteComponents, remoteNodes } from "./remote-components.ts";
import { allocationHosts, type SlurmAllocation, slurmAllocation } from "./slurm-allocation.ts";
import { buildMissingStacks, type StackBuildSink } from "./stack-builds.ts";

export interface RunOptions {
  iterations?: number;
  /** Overrides the composition's results directory. */
  resultsDirectory?: string;
  onIteration?: (completed: number, planned: number) => void;
  /** Called once before the loop with what a live view reads of the run (then in onIteration). */
  watch?: (sources: LiveRunSources) => void;
  /** What the builds of stacks named by their spec files do, when any is missing from the store. */
  stackBuilds?: StackBuildSink;
  output?: OutputSink | null;
  /** Where a VM enclave shows the build of its image when it must make one (default: nowhere). */
  imageProgress?: EnclaveOptions["imageProgress"];
  pings?: number;
  /**
   * Run these bytes as the composition, read as if they were the file at
   * `path` (relative paths resolve from its directory): a replay of a record's copy.
   */
  compositionBytes?: Uint8Array;
  /** For a verification: the run it replays, kept in its record. */
  replayOf?: ReplayOf;
}

export interface RunOutcome {
  directory: string;
  record: RunRecord;
  result?: CouplingResult;
  failure?: Error;
}

interface Captured {
  kind: string;
  description: EnclaveDescription;
  environment?: EnclaveEnvironment;
}

export async function runComposition(path: string, options: RunOptions = {}): Promise<RunOutcome> {
  const startedUnixMs = Date.now();
  const started = performance.now();
  const bytes = options.compositionBytes ?? readComposition(path);
  const composition = parseComposition(Buffer.from(bytes).toString("utf8"), path, {
    checkFiles: true,
    cgroupsMissing: missingCgroups,
    stackSpecProblem,
  });
  const placement = placementProblem(composition);
  if (placement !== undefined) throw new CompositionError([placement]);
  const spansNodes = remoteNodes(composition).length > 0;
  const stacks = await buildMissingStacks(composition, options.stackBuilds);
  const plan = couplingPlan(
    composition,
    options.iterations === undefined ? {} : { iterations: options.iterations },
    stacks,
  );
  const planned = plan.time === undefined ? plan.iterations : plannedWindows(plan.time);
  // A TypeScript component that imports "conflux-coupling/component" loads the built SDK: it must be its sources' build.
  if (plan.components.some((component) => component.launch.module !== undefined)) ensureSdkBundle();
  const resultsDirectory = options.resultsDirectory ?? resolve(composition.results.directory);
  const compositionDigest = sha256(bytes);
  const inputs = compositionInputs(composition, {
    path: composition.source,
    sha256: compositionDigest,
    bytes: bytes.byteLength,
  });
  const seeds = randomSeeds(composition);

  let directory: string | undefined;
  let fields: FieldFile[] = [];
  const recordDirectory = (runId: string) => {
    directory ??= createRecordDirectory(resultsDirectory, composition.name, runId);
    return directory;
  };
  // results.export: vtu, in the record's vtu/ folder: every window of a run in time, the end of an iteration run.
  let series: VtuSeries | undefined;
  const exportVtu = (meshes: ReadonlyMap<string, SharedMesh>, step: number, time: number, id: string) => {
    series ??= new VtuSeries(join(recordDirectory(id), "vtu"), composition.name);
    series.write(meshValues(meshes), step, time);
  };
  const exporting = composition.results.export === "vtu";
  const captured = new Map<string, Captured>();
  let driverEnvironment: EnclaveEnvironment | undefined;
  let readyAt: number | undefined;
  let captureMs: number | undefined;
  let collectedAt: number | undefined;
  let runId = "";
  let result: CouplingResult | undefined;
  let failure: Error | undefined;
  let timings: PhaseTimings | undefined;
  let setupMs: Record<string, number> = {};
  let completed = 0;
  let convergence: WindowConvergenceEntry[] | undefined;
  let rankSteps: Record<string, number[][]> | undefined;
  let appliedOn: Record<string, string> | undefined;
  let endedEnclaves: EnclaveRecord[] | undefined;
  let agents: NodeAgents | undefined;
  /** Components on other nodes than the driver's, and their host; ranks spread over nodes, each rank's. */
  const nodes = new Map<string, string>();
  const rankNodes = new Map<string, string[]>();
  try {
    let placedPlan = plan;
    if (spansNodes) {
      // placementProblem has checked that this is an allocation of enough nodes.
      const hosts = allocationHosts(slurmAllocation() as SlurmAllocation);
      const driverNode = driverNodeProblem(composition, hosts, hostname());
      if (driverNode !== undefined) throw new CompositionError([driverNode]);
      const needed = remoteNodes(composition).map((node) => hosts[node - 1] as string);
      agents = await startNodeAgents(needed, plan.startupTimeoutMs);
      placedPlan = placeRemoteComponents(plan, composition, hosts, agents.addresses);
      for (const component of placedPlan.components) {
        if (component.node !== undefined) nodes.set(component.name, component.node);
        const placements = component.rankPlacements;
        if (placements !== undefined) {
          rankNodes.set(
            component.name,
            placements.map((placement) => placement?.node ?? (hosts[0] as string)),
          );
        }
      }
    }
    result = await runCoupling<TransferSpec>(placedPlan, {
      buildOperator: (source, target, spec) => createOperator(source, target, spec, { threads: plan.threads ?? 1 }),
      ...(options.onIteration === undefined
        ? {}
        : { onIteration: (done: number) => options.onIteration?.(done, planned) }),
      ...(options.output === undefined ? {} : { output: options.output }),
      ...(options.imageProgress === undefined ? {} : { imageProgress: options.imageProgress }),
      ...(options.watch === undefined ? {} : { watch: options.watch }),
      ...(options.pings === undefined ? {} : { pings: options.pings }),
      onReady: (components) => {
        readyAt = performance.now();
        try {
          driverEnvironment = captureComponents(components, captured);
        } catch {
          // Looking at the components must never fail the run; the record says what is missing.
        }
        captureMs = performance.now() - readyAt;
      },
      ...(exporting && plan.time !== undefined
        ? {
            windowDone: (meshes: ReadonlyMap<string, SharedMesh>, window: number, end: number, id: string) =>
              exportVtu(meshes, window + 1, end, id),
          }
        : {}),
      collect: (meshes, iterations, id) => {
        collectedAt = performance.now();
        runId = id;
        completed = iterations;
        fields = saveFields(recordDirectory(id), meshes);
        if (exporting && plan.time === undefined) exportVtu(meshes, iterations, iterations, id);
      },
    });
    runId = result.runId;
    completed = result.iterationsCompleted;
    timings = result.timings;
    setupMs = result.setupMs;
    convergence = result.convergence;
    rankSteps = result.rankSteps;
    appliedOn = result.appliedOn;
  } catch (error) {
    if (error instanceof CompositionError) {
      await agents?.close();
      throw error;
    }
    failure = error instanceof Error ? error : new Error(String(error));
    const partial = (error as { partial?: PartialResult }).partial;
    if (partial !== undefined) {
      timings = partial.timings;
      setupMs = partial.setupMs;
      runId ||= partial.runId;
      completed = partial.iterationsCompleted;
      convergence = partial.convergence;
      rankSteps = partial.rankSteps;
      appliedOn = partial.appliedOn;
      endedEnclaves = partial.enclaves;
    }
  }
  // The agents end after the record is written: an unreachable node may keep srun waiting for seconds.
  const agentsClosed = agents?.close();
  const finalDirectory = recordDirectory(runId || "00000000");
  // Every component with how it ended, a failed run's too (those of a run that failed at startup included).
  const ended = result?.enclaves ?? endedEnclaves;
  const enclaves: EnclaveEntry[] =
    ended !== undefined
      ? ended.map((enclave) => {
          const seen = captured.get(enclave.component);
          const description = enclave.description as EnclaveDescription;
          return {
            component: enclave.component,
            kind: enclave.kind,
            pid: enclave.pid,
            description: { ...description, env: redactSecrets(description.env ?? {}) },
            ...(seen?.environment === undefined ? {} : { environment: seen.environment }),
            ...(enclave.exit === undefined ? {} : { exit: enclave.exit }),
            ...(enclave.link === undefined ? {} : { link: enclave.link }),
            ...(enclave.resources === undefined ? {} : { resources: enclave.resources }),
            ...(enclave.rankResources === undefined ? {} : { rankResources: enclave.rankResources }),
            ...(nodes.has(enclave.component) ? { node: nodes.get(enclave.component) as string } : {}),
            ...(rankNodes.has(enclave.component) ? { rankNodes: rankNodes.get(enclave.component) as string[] } : {}),
          };
        })
      : [...captured].map(([component, seen]) => ({
          component,
          kind: seen.kind,
          pid: seen.description.pid,
          description: seen.description,
          ...(seen.environment === undefined ? {} : { environment: seen.environment }),
        }));
  const driver = driverEntry(driverEnvironment, plan.threads ?? 1);
  const finished = performance.now();
  const timing: TimingSummary = {
    wallMs: finished - started,
    ...(readyAt === undefined ? {} : { startupMs: readyAt - started }),
    ...(captureMs === undefined ? {} : { captureMs }),
    ...(readyAt === undefined || collectedAt === undefined
      ? {}
      : { loopMs: collectedAt - readyAt - (captureMs ?? 0), shutdownMs: finished - collectedAt }),
  };
  const record: RunRecord = {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    name: composition.name,
    runId,
    status: failure === undefined ? "completed" : /^interrupted/.test(failure.message) ? "interrupted" : "failed",
    ...(failure === undefined ? {} : { error: failure.message }),
    composition: copyComposition(finalDirectory, composition.source, bytes),
    commandLine: process.argv,
    startedUnixMs,
    finishedUnixMs: Date.now(),
    iterations: { planned, completed },
    ...(plan.time === undefined ? {} : { time: timeEntry(plan.time, convergence) }),
    ...(convergence === undefined ? {} : { convergence }),
    ...(rankSteps === undefined
      ? {}
      : { ranks: Object.fromEntries(Object.entries(rankSteps).map(([name, steps]) => [name, rankImbalance(steps)])) }),
    driver,
    enclaves,
    // A run over nodes says where each transfer was applied: on the driver's node, or on its target's.
    ...(spansNodes ? { transfers: transferEntries(plan.transfers, appliedOn ?? {}) } : {}),
    seeds,
    inputs,
    setupMs,
    timing,
    timings: timings === undefined ? {} : phaseSummaries(timings.summaries()),
    ...(timings === undefined ? {} : { timingHistograms: timingHistogramsOf(timings) }),
    fields,
    ...(options.replayOf === undefined ? {} : { replayOf: options.replayOf }),
  };
  writeRunRecord(finalDirectory, record);
  await agentsClosed;
  return {
    directory: finalDirectory,
    record,
    ...(result === undefined ? {} : { result }),
    ...(failure === undefined ? {} : { failure }),
  };
}

function timingHistogramsOf(timings: PhaseTimings): Record<string, PhaseHistogramUs> {
  return phaseHistograms(timings.summaries().map(({ phase }) => ({ phase, samples: timings.raw(phase) })));
}

/** Every mesh's points and fields as they lie in its segment (views, not copies). */
function meshValues(meshes: ReadonlyMap<string, SharedMesh>): Map<string, MeshValues> {
  const values = new Map<string, MeshValues>();
  for (const [name, mesh] of meshes) {
    const { dimension, count, layout, fields } = mesh.spec;
    values.set(name, {
      points: { dimension, count, layout, coordinates: mesh.coordinates },
      fieldNames: fields,
      fields: fields.map((field) => mesh.field(field)),
    });
  }
  return values;
}

/** Windows a run in time takes, when known beforehand (0 for first-participant windows up to a max_time). */
function plannedWindows(time: TimePlan): number {
  if (time.windows !== undefined) return time.windows;
  if (time.window === "first-participant" || time.maxTime === undefined) return 0;
  return Math.max(1, Math.ceil(time.maxTime / time.window - 1e-9 * Math.max(1, time.maxTime / time.window)));
}

function timeEntry(time: TimePlan, convergence: WindowConvergenceEntry[] | undefined): TimeEntry {
  return {
    scheme: time.scheme,
    window: time.window,
    ...(time.maxTime === undefined ? {} : { maxTime: time.maxTime }),
    ...(time.windows === undefined ? {} : { windows: time.windows }),
    iterations: (convergence ?? []).reduce((total, window) => total + window.iterations, 0),
  };
}

export function isCouplingFailure(error: unknown): error is CouplingFailure {
  return error instanceof CouplingFailure;
}

/** The composition's bytes; an unreadable file gets the same error `conflux validate` gives. */
function readComposition(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    loadComposition(path);
    throw error;
  }
}

/**
 * Describes every running component and the driver itself while all of them
 * are alive and connected. The components wait for the driver's go meanwhile;
 * a component that cannot be inspected is recorded without its environment
 * rather than failing the run.
 */
function captureComponents(
  components: readonly { component: string; enclave: Enclave }[],
  captured: Map<string, Captured>,
): EnclaveEnvironment {
  let runDirectory: string | undefined;
  for (const { component, enclave } of components) {
    let own: EnclaveDescription;
    try {
      own = enclave.describe();
    } catch {
      continue; // the enclave's final description, taken at the end, still goes into the record
    }
    const description = { ...own, env: redactSecrets(own.env) };
    runDirectory ??= own.env[RUN_DIRECTORY_VARIABLE];
    const exclude = runDirectory === undefined ? [] : [runDirectory];
    let environment: EnclaveEnvironment | undefined;
    try {
      environment = captureEnvironment(own.codePid ?? own.pid, description, exclude);
    } catch {
      // recorded without its environment; the run goes on
    }
    captured.set(component, { kind: enclave.kind, description, ...(environment === undefined ? {} : { environment }) });
  }
  return captureEnvironment(process.pid, driverDescription(), runDirectory === undefined ? [] : [runDirectory]);
}

function driverDescription(): Pick<EnclaveDescription, "kernel" | "commandLine" | "env"> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return { kernel: release(), commandLine: process.argv, env: redactSecrets(env) };
}

function driverEntry(environment: EnclaveEnvironment | undefined, threads: number): DriverEntry {
  const description = driverDescription();
  let account: string | undefined;
  try {
    account = userInfo().username;
  } catch {
    // no passwd entry for this uid (a container's arbitrary user)
  }
  return {
    pid: process.pid,
    host: { hostname: hostname(), ...(account === undefined ? {} : { account }) },
    conflux: confluxVersion(),
    hostCompiler: hostCompiler(),
    threads,
    environment: environment ?? captureEnvironment(process.pid, description),
    env: description.env,
  };
}

/** Why this host has no cgroups for enclave limits, or undefined when it has (conflux doctor says the same). */
function missingCgroups(): string | undefined {
  const host = cgroupHost();
  return host.version === 0 ? host.reason : undefined;
}

/** Every transfer of the plan, with the node its operator was applied on (the driver's unless said). */
function transferEntries(transfers: CouplingPlan["transfers"], appliedOn: Record<string, string>): TransferEntry[] {
  return transfers.map((transfer) => {
    const label = `${fieldLabel(transfer.from)} → ${fieldLabel(transfer.to)}`;
    return { transfer: label, appliedOn: appliedOn[label] ?? hostname() };
  });
}
