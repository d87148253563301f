// The page data of a run report: what the record says, shaped for the page and nothing else, so that the static
// report and a live view draw the same parts from the same data. Every section the record may lack (an older
// record, a run that is not in time) is either present or says why it is absent.
import type { EnclaveEnvironment } from "../record/enclave-environment.ts";
import type {
  EnclaveEntry,
  PhaseHistogramUs,
  PhaseSummaryUs,
  RunRecord,
  WindowConvergenceEntry,
} from "../record/run-record.ts";

/** A section of the page: its content, or the sentence that says why the record has none. */
export type Section<T> = ({ present: true } & T) | { present: false; absent: string };

export interface RunOverview {
  name: string;
  runId: string;
  status: RunRecord["status"] | "running";
  error?: string;
  compositionFile: string;
  commandLine: string[];
  startedUnixMs: number;
  finishedUnixMs: number;
  /** Iterations, or windows of a run in time. */
  completed: number;
  planned: number;
  unit: "iterations" | "windows";
  /** For a replay (`conflux repro verify`): which run it replayed and how it compared. */
  replay?: { runId: string; outcome: string };
}

/** One process of the run (the driver, or a component's enclave) and what the record knows of where it ran. */
export interface ProcessEnvironment {
  process: string;
  kind: string;
  pid: number;
  /** Label and value, in the order the page shows them. */
  facts: [string, string][];
}

export interface PhaseTiming extends PhaseSummaryUs {
  phase: string;
  histogram: Section<PhaseHistogramUs>;
}

/** A stage of the run as a whole (startup, loop, …) or a transfer's setup, once, in milliseconds. */
export interface StageTime {
  stage: string;
  ms: number;
}

/** What the record's `timing` keys mean, as the page says it. */
const STAGE_NAMES: Record<string, string> = {
  wallMs: "whole run",
  startupMs: "startup (launch until every component connected and its meshes checked)",
  captureMs: "environment capture",
  loopMs: "coupling loop",
  shutdownMs: "shutdown (fields saved, components stopped, record written)",
};

export interface ReportData {
  overview: RunOverview;
  /** The components, in the composition's order: the graph's boxes. */
  components: string[];
  environments: Section<{ processes: ProcessEnvironment[] }>;
  timings: Section<{ phases: PhaseTiming[]; stages: StageTime[] }>;
  convergence: Section<{ scheme: string; windows: WindowConvergenceEntry[] }>;
  outliers: Section<{ notes: string[] }>;
}

function runtimeFacts(environment: EnclaveEnvironment): [string, string][] {
  const facts: [string, string][] = [];
  const runtime = environment.runtime;
  if (runtime !== undefined) {
    const versions = ["node", "v8", "uv", "openssl"]
      .filter((name) => runtime.versions[name] !== undefined)
      .map((name) => `${name} ${runtime.versions[name]}`);
    if (runtime.tsx !== undefined) versions.push(`tsx ${runtime.tsx}`);
    if (runtime.esbuild !== undefined) versions.push(`esbuild ${runtime.esbuild}`);
    facts.push(["runtime", versions.join(", ")]);
  }
  const libc = environment.libc;
  facts.push(["C library", libc.version === undefined ? libc.family : `${libc.family} ${libc.version}`]);
  if (environment.compilers.length > 0) facts.push(["compilers", environment.compilers.join("; ")]);
  if (environment.software !== undefined) {
    const software = environment.software;
    facts.push([software.kind, `${software.name}${software.sha256 === undefined ? "" : ` (${software.sha256})`}`]);
  }
  facts.push(["kernel", [environment.kernel.release, environment.kernel.build].filter(Boolean).join(" ")]);
  facts.push([
    "CPU",
    `${environment.cpu.model}${environment.cpu.microcode ? `, microcode ${environment.cpu.microcode}` : ""}`,
  ]);
  facts.push(["floating-point CPU features", environment.floatingPoint.cpuFeatures.join(" ") || "none seen"]);
  facts.push(["loaded files", `${environment.libraries.length} besides the executable, each hashed in run.json`]);
  if (environment.error !== undefined) facts.push(["could not read", environment.error]);
  return facts;
}

function enclaveEnvironment(enclave: EnclaveEntry): ProcessEnvironment {
  const description = enclave.description;
  const facts: [string, string][] = [];
  if (enclave.node !== undefined) facts.push(["node", `${enclave.node} (kind, pid and environment are its relay's)`]);
  if (enclave.rankNodes !== undefined) facts.push(["ranks on", enclave.rankNodes.join(", ")]);
  if (description.software !== undefined && enclave.environment?.software === undefined) {
    facts.push([description.software.kind, description.software.name]);
  }
  if (description.node !== undefined) facts.push(["Node.js", description.node]);
  facts.push(["platform", `${description.platform} ${description.arch}`]);
  facts.push(["allowed CPUs", description.cpus.join(" ")]);
  facts.push(["command line", description.commandLine.join(" ")]);
  if (enclave.exit !== undefined) {
    const exit = enclave.exit;
    facts.push(["exit", `${exit.cause}${exit.signal === null ? `, code ${exit.code}` : `, ${exit.signal}`}`]);
  }
  if (enclave.environment === undefined) {
    facts.push(["environment", "absent: the run failed before every component connected"]);
  } else {
    facts.push(...runtimeFacts(enclave.environment));
  }
  return { process: enclave.component, kind: enclave.kind, pid: enclave.pid, facts };
}

function driverEnvironment(driver: RunRecord["driver"]): ProcessEnvironment {
  const facts: [string, string][] = [
    ["host", driver.host.hostname],
    [
      "conflux",
      `${driver.conflux.version}${driver.conflux.commit === undefined ? "" : ` (commit ${driver.conflux.commit})`}`,
    ],
    ["host compiler", driver.hostCompiler ?? "none found"],
  ];
  if (driver.threads !== undefined) facts.push(["operator threads", String(driver.threads)]);
  facts.push(...runtimeFacts(driver.environment));
  return { process: "driver", kind: "host process", pid: driver.pid, facts };
}

function environments(record: ReportRecord): ReportData["environments"] {
  if (record.driver === undefined || !Array.isArray(record.enclaves)) {
    return { present: false, absent: "absent: this record holds no driver or enclave environments" };
  }
  const processes = [driverEnvironment(record.driver), ...record.enclaves.map(enclaveEnvironment)];
  if (record.enclaves.length === 0) {
    processes[0]?.facts.push(["components", "none described: the run failed before it launched any"]);
  }
  return { present: true, processes };
}

function timings(record: ReportRecord): ReportData["timings"] {
  const summaries = Object.entries(record.timings ?? {});
  if (summaries.length === 0) {
    return {
      present: false,
      absent: "absent: this record holds no phase timings (the run ended before its loop timed a phase)",
    };
  }
  const histograms = record.timingHistograms;
  const phases = summaries.map(([phase, summary]): PhaseTiming => {
    const binned = histograms?.[phase];
    return {
      phase,
      ...summary,
      histogram:
        binned === undefined
          ? {
              present: false,
              absent: "histogram absent: this record predates timing histograms (it holds the summary only)",
            }
          : { present: true, ...binned },
    };
  });
  const stages: StageTime[] = [];
  for (const [key, ms] of Object.entries(record.timing ?? {})) {
    if (typeof ms === "number") stages.push({ stage: STAGE_NAMES[key] ?? key, ms });
  }
  for (const [transfer, ms] of Object.entries(record.setupMs ?? {})) stages.push({ stage: `setup of ${transfer}`, ms });
  return { present: true, phases, stages };
}

function convergence(record: ReportRecord): ReportData["convergence"] {
  if (record.time === undefined) {
    return {
      present: false,
      absent: "absent: this run coupled in iterations, not in physical time, so it has no windows",
    };
  }
  if (record.convergence === undefined || record.convergence.length === 0) {
    return { present: false, absent: "absent: this record holds no completed window" };
  }
  return { present: true, scheme: record.time.scheme, windows: record.convergence };
}

function outliers(record: ReportRecord): ReportData["outliers"] {
  const notes: string[] = [];
  for (const [component, imbalance] of Object.entries(record.ranks ?? {})) {
    const slowest = imbalance.slowestCounts.indexOf(Math.max(...imbalance.slowestCounts));
    notes.push(
      `${component}: its slowest rank took ${imbalance.meanRatio.toFixed(2)}× its fastest's time on average, ${imbalance.worstRatio.toFixed(2)}× at step ${imbalance.worstStep}; rank ${slowest} was the slowest in ${imbalance.slowestCounts[slowest]} of ${imbalance.steps} steps`,
    );
  }
  if (notes.length === 0) {
    return {
      present: false,
      absent:
        "absent: this record holds no outlier causes (a run records its phases' distributions, not why a sample was slow; `conflux bench seed` explains the outliers of its runs)",
    };
  }
  return { present: true, notes };
}

/**
 * What the page data is made from: a finished run's record, or what a live view knows of a run still going
 * (no environments yet, no stage times, a status of "running"; docs/view.md).
 */
export type ReportRecord = Pick<
  RunRecord,
  "name" | "runId" | "composition" | "startedUnixMs" | "finishedUnixMs" | "iterations" | "timings" | "setupMs"
> &
  Partial<
    Pick<
      RunRecord,
      | "error"
      | "commandLine"
      | "time"
      | "convergence"
      | "ranks"
      | "driver"
      | "enclaves"
      | "timing"
      | "timingHistograms"
      | "replayOf"
      | "verification"
    >
  > & { status: RunOverview["status"] };

export function reportData(record: ReportRecord, components: string[]): ReportData {
  const time = record.time !== undefined;
  return {
    overview: {
      name: record.name,
      runId: record.runId,
      status: record.status,
      ...(record.error === undefined ? {} : { error: record.error }),
      compositionFile: record.composition.file,
      commandLine: record.commandLine ?? [],
      startedUnixMs: record.startedUnixMs,
      finishedUnixMs: record.finishedUnixMs,
      completed: record.iterations?.completed ?? 0,
      planned: record.iterations?.planned ?? 0,
      unit: time ? "windows" : "iterations",
      ...(record.replayOf === undefined
        ? {}
        : { replay: { runId: record.replayOf.runId, outcome: record.verification?.outcome ?? "not compared" } }),
    },
    components,
    environments: environments(record),
    timings: timings(record),
    convergence: convergence(record),
    outliers: outliers(record),
  };
}
