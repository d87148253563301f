// `conflux bench map`: setup and apply time of every transfer operator, at the
// talk's size (3,000 random points in the unit cube onto 3,000 others) and as
// the meshes grow, beside the peers that do the same work, measured in the
// same run on the same points: scipy (cKDTree build + query; RBFInterpolator
// fit + evaluation) and preCICE 3.4.1 (the mapping's computeMapping and
// mapData, from its own profiling). With --threads, each operator is also
// measured at other thread counts.
//
// Every figure is the median of at least five repetitions, printed with its
// spread (fastest and slowest). The columns of a row (ours at each thread
// count, then each peer) are measured interleaved, one repetition of each in
// turn (A B A B …), so that drift on a shared machine falls on all of them,
// and a ratio is only ever taken between two figures of one row of one run.
// The first setup of ours (compiling the code paths, starting worker
// threads) is left out of the figures and reported as the cold setup.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  closeOperatorThreads,
  createOperator,
  type PointSet,
  type TransferOperator,
  type TransferSpec,
} from "../mapping/index.ts";
import { summarize } from "../stats/distribution.ts";
import { alignColumns } from "../stats/table.ts";
import { type MachineDuring, MachineLoad, machineLine } from "./machine-load.ts";
import { type Figure, figureOf } from "./map-figures.ts";
import type { MapPeerName } from "./map-peer-names.ts";
import { type PreciceMapping, PrecicePeer, preciceMappingTag } from "./map-peers/precice-peer.ts";
import { findScipyPython, SCIPY_PACKAGE, ScipyPeer } from "./map-peers/scipy-peer.ts";
import { unitCubePoints, writePointsFile } from "./map-points.ts";

export { unitCubePoints } from "./map-points.ts";

/** Ours at one thread count: setup (ms, wall and the process's CPU) and apply (µs per call). */
export interface OursColumn {
  threads: number;
  setup_ms: Figure;
  /** CPU time of the whole process (every thread) per setup: on a loaded machine, wall ≫ CPU / threads. */
  setup_cpu_ms: Figure;
  setup_cold_ms: number;
  /** Per repetition, the median of its apply calls. */
  apply_us: Figure;
  /** Every apply call of every repetition. */
  apply_calls: number;
  apply_mean_us: number;
  apply_sd_us: number;
  apply_p99_us: number;
  apply_max_us: number;
  memory_bytes: number;
}

export interface PeerColumn {
  peer: MapPeerName;
  /** What the peer ran, in its own terms. */
  work: string;
  setup_ms: Figure;
  apply_us?: Figure;
  /** How the peer's answer compares with ours, when it can be checked. */
  check?: string;
  /** Peer figure ÷ ours at one thread, medians of this run: above 1, ours is faster. */
  setup_ratio: number;
  /** Why the peer's runs stopped (its error), when one failed twice in a row. */
  failed?: string;
  /** Why runs failed that then succeeded when repeated: a peer's own process pair can fail once on a loaded machine, and the report says so rather than dropping the column. */
  retried?: string[];
  apply_ratio?: number;
}

export interface MapBenchRow {
  operator: string;
  source_points: number;
  target_points: number;
  /** Ours at every thread count measured, one thread first. */
  ours: OursColumn[];
  /** One-thread figure ÷ figure at that count (the speedup), for every other count. */
  speedups: { threads: number; setup: number; apply: number }[];
  peers: PeerColumn[];
  /** Best peer's figure ÷ ours at one thread, where a peer did the same work: the project's goal is ≥ 2. */
  /** `over` is the peer fastest at setup, `apply_over` the one fastest at apply: they need not be the same. */
  lead?: { setup: number; apply?: number; over: MapPeerName; apply_over?: MapPeerName };
  /** The same with ours at its fastest thread count (peers run as they come: scipy's BLAS uses every core). */
  lead_any_threads?: {
    setup: number;
    apply?: number;
    over: MapPeerName;
    apply_over?: MapPeerName;
    setup_threads: number;
    apply_threads: number;
  };
}

export interface MapBenchSkip {
  operator: string;
  points: number;
  reason: string;
}

export interface MapBenchResult {
  rows: MapBenchRow[];
  skipped: MapBenchSkip[];
  peers: { peer: MapPeerName; version?: string; skipped?: string }[];
  repetitions: number;
  threads: number[];
  /** 1-minute load averages sampled through the run, and the CPU count: on 2 cores, any other load shows. */
  machine: MachineDuring;
}

interface PeerWork {
  scipy?: { kind: "nearest" } | { kind: "rbf"; kernel: string; epsilon?: number };
  precice?: PreciceMapping;
}

interface BenchCase {
  label: string;
  spec: TransferSpec;
  sizes: readonly number[];
  /** The peers' same work, where they have it. */
  peers: PeerWork;
  /** Whether more threads change anything for it (setup or apply). */
  parallel: boolean;
}

const TALK_SIZE = 3000;
/** preCICE's dense global systems take half a minute per run at 3,000 points: measured at 1,000 only. */
const PRECICE_DENSE_LIMIT = 1000;
/** Nearest through preCICE beyond this spends minutes sending the mesh between its participants. */
const PRECICE_NEAREST_LIMIT = 1e6;

export interface MapBenchOptions {
  quick?: boolean;
  peers?: readonly MapPeerName[];
  /** Thread counts; 1 is always measured, first. */
  threads?: readonly number[];
  /** Repetitions of every figure (at least 5). */
  repetitions?: number;
  /** Only the operators whose label contains this. */
  only?: string;
  progress?: (what: string) => void;
}

function cases(quick: boolean, threaded: boolean): { run: BenchCase[]; skipped: MapBenchSkip[] } {
  const grow = (full: readonly number[], small: readonly number[]) => (quick ? small : full);
  // With --threads, the operators that use them also run at 10^6 points, the size of the threads goal.
  const large = threaded && !quick ? [1e6] : [];
  const run: BenchCase[] = [
    {
      label: "nearest",
      spec: { method: "nearest" },
      sizes: grow([TALK_SIZE, 1e3, 1e4, 1e5, 1e6], [TALK_SIZE, 1e4]),
      peers: { scipy: { kind: "nearest" }, precice: { kind: "nearest" } },
      parallel: true,
    },
    {
      label: "nearest conservative",
      spec: { method: "nearest", conservative: true },
      sizes: [TALK_SIZE],
      peers: {},
      parallel: false,
    },
    {
      label: "mls linear k=10",
      spec: { method: "mls" },
      sizes: grow([TALK_SIZE, 1e3, 1e4, 1e5], [TALK_SIZE]),
      peers: {},
      parallel: false,
    },
    {
      label: "mls quadratic k=22",
      spec: { method: "mls", basis: "quadratic" },
      sizes: [TALK_SIZE],
      peers: {},
      parallel: false,
    },
    {
      label: "mls linear conservative",
      spec: { method: "mls", conservative: true },
      sizes: [TALK_SIZE],
      peers: {},
      parallel: false,
    },
    {
      label: "rbf-pu wendland-c2 r=0.3",
      spec: { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3 },
      sizes: grow([TALK_SIZE, 1e3, 1e4, 3e4, 1e5, ...large], [TALK_SIZE]),
      peers: { precice: { kind: "rbf-pu", supportRadius: 0.3 } },
      parallel: true,
    },
    {
      label: "rbf-pu conservative",
      spec: { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3, conservative: true },
      sizes: [TALK_SIZE],
      peers: {},
      parallel: true,
    },
    {
      label: "rbf wendland-c2 r=0.3",
      spec: { method: "rbf", kernel: "wendland-c2", radius: 0.3 },
      sizes: grow([1e3, TALK_SIZE], [1e3]),
      peers: { precice: { kind: "rbf-global", basis: "compact-polynomial-c2", supportRadius: 0.3 } },
      parallel: true,
    },
    {
      label: "rbf gaussian l=0.1",
      spec: { method: "rbf", kernel: "gaussian", radius: 0.1 },
      sizes: grow([TALK_SIZE], []),
      peers: {
        scipy: { kind: "rbf", kernel: "gaussian", epsilon: 10 },
        precice: { kind: "rbf-global", basis: "gaussian", shapeParameter: 10 },
      },
      parallel: true,
    },
    {
      label: "rbf tps",
      spec: { method: "rbf", kernel: "tps" },
      sizes: grow([1e3, TALK_SIZE], [1e3]),
      peers: {
        scipy: { kind: "rbf", kernel: "thin_plate_spline" },
        precice: { kind: "rbf-global", basis: "thin-plate-splines" },
      },
      parallel: true,
    },
  ];
  const skipped: MapBenchSkip[] = [
    {
      operator: "rbf (global, any kernel)",
      points: 1e4,
      reason:
        "dense O(n³) setup: about 40× the 3,000-point time and 0.4 GB at 10^4 (preCICE 3.4.1: 26 s, 2.4 GB); beyond 5,000 points conflux refuses it and rbf-pu is the operator for large meshes",
    },
    {
      operator: "mls, rbf-pu",
      points: 1e6,
      reason: threaded
        ? "mls: setup grows linearly (see 10^5); rbf-pu runs at 10^6 here for the threads goal"
        : "setup grows linearly (see 10^5); `--threads` or `--scale` run rbf-pu at 10^6",
    },
  ];
  if (quick) skipped.push({ operator: "growth series", points: 1e5, reason: "--quick: sizes above 10^4 left out" });
  return { run, skipped };
}

/** Untimed apply calls before the timed ones, and how long the timed ones of one repetition may take. */
const APPLY_WARM_CALLS = 5;
const APPLY_BUDGET_MS = 80;
const MAX_APPLY_CALLS = 2000;
const MIN_APPLY_CALLS = 5;

/** Repetitions: more where one is cheap (the median then settles), at least `minimum`. */
function repetitionsFor(coldMs: number, minimum: number): number {
  if (coldMs < 20) return Math.max(minimum, 21);
  if (coldMs < 200) return Math.max(minimum, 11);
  return minimum;
}

interface OursSamples {
  threads: number;
  cold: number;
  setup: number[];
  cpu: number[];
  applyMedians: number[];
  calls: number[];
  operator?: TransferOperator;
}

function timeSetup(source: PointSet, target: PointSet, spec: TransferSpec, threads: number, into: OursSamples): void {
  // The previous operator's arrays go before the next setup, so that the run never holds two.
  into.operator = undefined;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  into.operator = createOperator(source, target, spec, { threads });
  into.setup.push(performance.now() - start);
  const cpu = process.cpuUsage(cpuBefore);
  into.cpu.push((cpu.user + cpu.system) / 1000);
}

function timeApply(into: OursSamples, field: Float64Array, out: Float64Array): void {
  const operator = into.operator as TransferOperator;
  for (let warm = 0; warm < APPLY_WARM_CALLS; warm++) operator.apply(field, out);
  const calls: number[] = [];
  const end = performance.now() + APPLY_BUDGET_MS;
  while (calls.length < MAX_APPLY_CALLS && (calls.length < MIN_APPLY_CALLS || performance.now() < end)) {
    const start = performance.now();
    operator.apply(field, out);
    calls.push((performance.now() - start) * 1000);
  }
  into.applyMedians.push(figureOf(calls).median);
  into.calls.push(...calls);
}

function oursColumn(samples: OursSamples): OursColumn {
  const calls = summarize(Float64Array.from(samples.calls));
  return {
    threads: samples.threads,
    setup_ms: figureOf(samples.setup),
    setup_cpu_ms: figureOf(samples.cpu),
    setup_cold_ms: samples.cold,
    apply_us: figureOf(samples.applyMedians),
    apply_calls: calls.n,
    apply_mean_us: calls.mean,
    apply_sd_us: calls.sd,
    apply_p99_us: calls.p99,
    apply_max_us: calls.max,
    memory_bytes: samples.operator?.byteLength ?? 0,
  };
}

/** What one run of a peer measured, with what its answer is checked by. */
interface PeerAnswer {
  setup_s: number;
  apply_s: number;
  check: string;
}

/** Adds a peer's column to a row: its samples, and a measurement that records one run into them. */
function addPeer(
  columns: PeerSamples[],
  measures: (() => Promise<void>)[],
  peer: MapPeerName,
  work: string,
  runOnce: () => Promise<PeerAnswer>,
): void {
  const samples: PeerSamples = { peer, work, setup: [], apply: [], checks: [], retried: [] };
  columns.push(samples);
  measures.push(async () => {
    const answer = await runOnce();
    samples.setup.push(answer.setup_s * 1e3);
    samples.apply.push(answer.apply_s * 1e6);
    samples.checks.push(answer.check);
  });
}

/** The error of one peer measurement, or undefined when it succeeded. */
async function failureOf(measure: () => Promise<void>): Promise<string | undefined> {
  try {
    await measure();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

interface PeerSamples {
  peer: MapPeerName;
  work: string;
  setup: number[];
  apply: number[];
  checks: string[];
  /** Why the peer stopped, when a run failed twice in a row: the row keeps what it measured before. */
  failed?: string;
  /** Why runs failed that succeeded when repeated. */
  retried: string[];
}

/** The peers this run has: started, built, or why not. */
interface Peers {
  scipy?: ScipyPeer;
  precice?: PrecicePeer;
  status: MapBenchResult["peers"];
}

async function startPeers(wanted: readonly MapPeerName[], directory: string): Promise<Peers> {
  const peers: Peers = { status: [] };
  if (wanted.includes("scipy")) {
    const python = findScipyPython();
    if (python === undefined) {
      peers.status.push({
        peer: "scipy",
        skipped: `no Python with scipy (Debian: apt-get install ${SCIPY_PACKAGE}; see conflux doctor)`,
      });
    } else {
      try {
        peers.scipy = await ScipyPeer.start(python);
        peers.status.push({
          peer: "scipy",
          version: `scipy ${peers.scipy.versions.scipy}, numpy ${peers.scipy.versions.numpy} (${python})`,
        });
      } catch (error) {
        peers.status.push({ peer: "scipy", skipped: (error as Error).message });
      }
    }
  }
  if (wanted.includes("precice")) {
    const built = PrecicePeer.build(directory);
    if (typeof built === "string") peers.status.push({ peer: "precice", skipped: built });
    else {
      peers.precice = built;
      peers.status.push({ peer: "precice", version: `preCICE ${built.installation.version}` });
    }
  }
  return peers;
}

function scipyWork(work: NonNullable<PeerWork["scipy"]>): string {
  return work.kind === "nearest"
    ? "cKDTree(source) + query(target, k=1); apply: numpy take"
    : `RBFInterpolator(source, f, kernel=${work.kernel}${work.epsilon !== undefined ? `, epsilon=${work.epsilon}` : ""}, degree 1); apply: its evaluation at the targets (kernel matrix rebuilt each call)`;
}

function preciceWork(mapping: PreciceMapping): string {
  const tag = preciceMappingTag(mapping);
  const basis =
    mapping.kind === "nearest"
      ? ""
      : mapping.kind === "rbf-pu"
        ? ` compact-polynomial-c2 r=${mapping.supportRadius}`
        : mapping.basis === "thin-plate-splines"
          ? " thin-plate-splines"
          : mapping.basis === "gaussian"
            ? ` gaussian shape ${mapping.shapeParameter}`
            : ` compact-polynomial-c2 r=${mapping.supportRadius}`;
  return `${tag}${basis}: computeMapping; apply: mapData (its profiling events)`;
}

/** Runs every case; peers and thread counts as asked. */
export async function runMapBenchmark(options: MapBenchOptions = {}): Promise<MapBenchResult> {
  const threads = [1, ...(options.threads ?? []).filter((count) => count !== 1)];
  const minimum = Math.max(5, options.repetitions ?? 5);
  const { run, skipped } = cases(options.quick === true, threads.length > 1);
  const machine = new MachineLoad();
  const directory = mkdtempSync(join(tmpdir(), "conflux-bench-map-"));
  const peers = await startPeers(options.peers ?? [], directory);
  const rows: MapBenchRow[] = [];
  try {
    for (const benchCase of run) {
      if (options.only !== undefined && !benchCase.label.includes(options.only)) continue;
      for (const points of benchCase.sizes) {
        options.progress?.(`${benchCase.label}, ${points} → ${points} points`);
        rows.push(await measureRow(benchCase, points, threads, minimum, peers, directory, skipped));
        machine.sample();
      }
    }
  } finally {
    await peers.scipy?.close();
    await closeOperatorThreads();
    rmSync(directory, { recursive: true, force: true });
  }
  return {
    rows,
    skipped,
    peers: peers.status,
    repetitions: minimum,
    threads,
    machine: machine.during(),
  };
}

async function measureRow(
  benchCase: BenchCase,
  points: number,
  allThreads: readonly number[],
  minimum: number,
  peers: Peers,
  directory: string,
  skipped: MapBenchSkip[],
): Promise<MapBenchRow> {
  const source = unitCubePoints(points, 1);
  const target = unitCubePoints(points, 2);
  const field = new Float64Array(source.count);
  for (let index = 0; index < field.length; index++) field[index] = Math.sin(index);
  const out = new Float64Array(target.count);
  const threadCounts = benchCase.parallel ? allThreads : [1];
  // Cold setups: the code compiled, the thread teams started.
  const ours: OursSamples[] = threadCounts.map((threads) => {
    const samples: OursSamples = { threads, cold: 0, setup: [], cpu: [], applyMedians: [], calls: [] };
    const start = performance.now();
    samples.operator = createOperator(source, target, benchCase.spec, { threads });
    samples.cold = performance.now() - start;
    return samples;
  });
  const repetitions = repetitionsFor(Math.min(...ours.map((samples) => samples.cold)), minimum);
  // The peers that do this work at this size.
  const peerSamples: PeerSamples[] = [];
  const measures: (() => Promise<void>)[] = [];
  const files = { source: join(directory, "source.f64"), target: join(directory, "target.f64") };
  const scipyWorkHere = benchCase.peers.scipy;
  const preciceHere = benchCase.peers.precice;
  const preciceTooLarge =
    preciceHere !== undefined &&
    ((preciceHere.kind === "rbf-global" &&
      points > PRECICE_DENSE_LIMIT &&
      preciceHere.basis !== "compact-polynomial-c2") ||
      (preciceHere.kind === "nearest" && points > PRECICE_NEAREST_LIMIT));
  if ((scipyWorkHere !== undefined && peers.scipy !== undefined) || (preciceHere !== undefined && peers.precice)) {
    writePointsFile(files.source, source);
    writePointsFile(files.target, target);
  }
  if (scipyWorkHere !== undefined && peers.scipy !== undefined) {
    const scipy = peers.scipy;
    await scipy.load("source", files.source, points);
    await scipy.load("target", files.target, points);
    addPeer(peerSamples, measures, "scipy", scipyWork(scipyWorkHere), async () => {
      if (scipyWorkHere.kind === "nearest") {
        const answer = await scipy.nearest("source", "target");
        return { setup_s: answer.setup_s, apply_s: answer.apply_s, check: String(answer.partner_sum) };
      }
      const answer = await scipy.rbf("source", "target", scipyWorkHere.kernel, scipyWorkHere.epsilon);
      return { setup_s: answer.setup_s, apply_s: answer.apply_s, check: String(answer.value_sum) };
    });
  }
  if (preciceHere !== undefined && peers.precice !== undefined) {
    if (preciceTooLarge) {
      skipped.push({
        operator: `${benchCase.label} (preCICE)`,
        points,
        reason: preciceSkipReason(preciceHere),
      });
    } else {
      const precice = peers.precice;
      addPeer(peerSamples, measures, "precice", preciceWork(preciceHere), async () => {
        const answer = await precice.measure(preciceHere, files.source, files.target, points);
        return { setup_s: answer.setup_s, apply_s: answer.apply_s, check: answer.error.toExponential(1) };
      });
    }
  }
  // Interleaved: one repetition of each column in turn. The peers' runs are
  // expensive (a preCICE pair per repetition), so they repeat `minimum` times.
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const samples of ours) {
      timeSetup(source, target, benchCase.spec, samples.threads, samples);
      timeApply(samples, field, out);
    }
    if (repetition < minimum) {
      for (const [index, measure] of measures.entries()) {
        const samples = peerSamples[index] as PeerSamples;
        if (samples.failed !== undefined) continue;
        const first = await failureOf(measure);
        if (first === undefined) continue;
        const second = await failureOf(measure);
        if (second === undefined) samples.retried.push(first);
        else samples.failed = second;
      }
    }
  }
  const oursColumns = ours.map(oursColumn);
  const one = oursColumns[0] as OursColumn;
  const partnerCheck = expectedChecks(benchCase, ours[0]?.operator, field);
  const peerColumns: PeerColumn[] = peerSamples.map((samples) => {
    const setup = figureOf(samples.setup);
    const apply = samples.apply.length > 0 ? figureOf(samples.apply) : undefined;
    return {
      peer: samples.peer,
      work: samples.work,
      setup_ms: setup,
      ...(apply !== undefined && { apply_us: apply, apply_ratio: apply.median / one.apply_us.median }),
      ...(samples.checks.length > 0 && { check: describeCheck(samples, partnerCheck) }),
      setup_ratio: setup.median / one.setup_ms.median,
      ...(samples.failed !== undefined && { failed: samples.failed }),
      ...(samples.retried.length > 0 && { retried: samples.retried }),
    };
  });
  // A peer is compared only where it measured every repetition.
  const best = peerColumns
    .filter((column) => column.failed === undefined)
    .reduce<PeerColumn | undefined>(
      (fastest, column) =>
        fastest === undefined || column.setup_ms.median < fastest.setup_ms.median ? column : fastest,
      undefined,
    );
  const bestApply = peerColumns
    .filter((column) => column.apply_us !== undefined && column.failed === undefined)
    .reduce<PeerColumn | undefined>(
      (fastest, column) =>
        fastest === undefined || (column.apply_us as Figure).median < (fastest.apply_us as Figure).median
          ? column
          : fastest,
      undefined,
    );
  return {
    operator: benchCase.label,
    source_points: points,
    target_points: points,
    ours: oursColumns,
    speedups: oursColumns.slice(1).map((column) => ({
      threads: column.threads,
      setup: one.setup_ms.median / column.setup_ms.median,
      apply: one.apply_us.median / column.apply_us.median,
    })),
    peers: peerColumns,
    ...(best !== undefined && {
      lead: {
        setup: best.setup_ratio,
        over: best.peer,
        ...(bestApply?.apply_ratio !== undefined && { apply: bestApply.apply_ratio, apply_over: bestApply.peer }),
      },
    }),
    ...(best !== undefined &&
      oursColumns.length > 1 && { lead_any_threads: leadAnyThreads(oursColumns, best, bestApply) }),
  };
}

function leadAnyThreads(
  ours: OursColumn[],
  best: PeerColumn,
  bestApply: PeerColumn | undefined,
): NonNullable<MapBenchRow["lead_any_threads"]> {
  const setup = ours.reduce((fastest, column) => (column.setup_ms.median < fastest.setup_ms.median ? column : fastest));
  const apply = ours.reduce((fastest, column) => (column.apply_us.median < fastest.apply_us.median ? column : fastest));
  return {
    setup: best.setup_ms.median / setup.setup_ms.median,
    over: best.peer,
    setup_threads: setup.threads,
    apply_threads: apply.threads,
    ...(bestApply?.apply_us !== undefined && {
      apply: bestApply.apply_us.median / apply.apply_us.median,
      apply_over: bestApply.peer,
    }),
  };
}

function preciceSkipReason(mapping: PreciceMapping): string {
  switch (mapping.kind) {
    case "nearest":
      return "preCICE spends minutes sending a mesh this large between its participants";
    default:
      return "preCICE's dense global system takes over half a minute per run at this size (32 s for thin-plate splines at 3,000 points here); scipy is the faster peer";
  }
}

/** What a peer's check should be, from our operator: the sum of nearest partners, or the sum of mapped values. */
function expectedChecks(benchCase: BenchCase, operator: TransferOperator | undefined, field: Float64Array): number {
  if (operator === undefined) return Number.NaN;
  if (benchCase.spec.method === "nearest" && "partners" in operator) {
    let sum = 0;
    for (const partner of (operator as { partners: Int32Array }).partners) sum += partner;
    return sum;
  }
  const out = new Float64Array(operator.targetCount);
  operator.apply(field, out);
  let sum = 0;
  for (const value of out) sum += value;
  return sum;
}

function describeCheck(samples: PeerSamples, ours: number): string {
  const first = samples.checks[0] as string;
  if (samples.peer === "precice") return `max error of the mapped linear field ${first}`;
  const theirs = Number(first);
  if (Number.isInteger(ours) && Number.isInteger(theirs)) {
    return theirs === ours
      ? "same nearest partners (sum of indices equal)"
      : `partner sums differ: ${theirs} vs ${ours}`;
  }
  const relative = Math.abs(theirs - ours) / Math.max(Math.abs(ours), 1e-300);
  return `sum of the mapped values within ${relative.toExponential(1)} of ours`;
}

function value(v: number): string {
  if (!Number.isFinite(v)) return "–";
  const magnitude = Math.abs(v);
  if (magnitude >= 100) return v.toFixed(0);
  if (magnitude >= 10) return v.toFixed(1);
  if (magnitude >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function spread(figure: Figure): string {
  return `${value(figure.median)} (${value(figure.min)}–${value(figure.max)})`;
}

function bytes(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} GB`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)} kB`;
  return `${v} B`;
}

export function count(v: number): string {
  return v >= 1e6 && v % 1e6 === 0 ? `${v / 1e6}M` : v >= 1e3 && v % 1e3 === 0 ? `${v / 1e3}k` : String(v);
}

function ratio(v: number): string {
  return Number.isFinite(v) ? `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}×` : "–";
}

/** The human report: ours per operator and size, then the peers beside ours, the thread speedups and what was skipped. */
export function mapBenchmarkTable(result: MapBenchResult): string {
  const { machine } = result;
  const out = [
    "conflux bench map: random points in the unit cube, source and target meshes of the same size, one scalar field",
    `every figure: median (fastest–slowest) of ≥ ${result.repetitions} repetitions; columns of a row measured interleaved; setup in ms, apply in µs per call`,
    machineLine(machine, " (other work on the machine inflates every figure)"),
    "",
  ];
  const header = ["operator", "points", "threads", "setup ms", "cpu ms", "(cold)", "apply µs", "p99", "max", "memory"];
  const lines = result.rows.flatMap((row) =>
    row.ours.map((column) => [
      row.operator,
      `${count(row.source_points)}→${count(row.target_points)}`,
      String(column.threads),
      spread(column.setup_ms),
      value(column.setup_cpu_ms.median),
      `(${value(column.setup_cold_ms)})`,
      spread(column.apply_us),
      value(column.apply_p99_us),
      value(column.apply_max_us),
      bytes(column.memory_bytes),
    ]),
  );
  out.push(...alignColumns([header, ...lines]));
  const peerLines = result.rows.flatMap((row) =>
    row.peers.map((peer) => [
      row.operator,
      count(row.source_points),
      peer.peer,
      spread(peer.setup_ms),
      ratio(peer.setup_ratio),
      peer.apply_us !== undefined ? spread(peer.apply_us) : "–",
      peer.apply_ratio !== undefined ? ratio(peer.apply_ratio) : "–",
      peer.failed !== undefined
        ? `failed after ${peer.setup_ms.n} runs: ${peer.failed}`
        : `${peer.check ?? ""}${peer.retried !== undefined ? ` (a run repeated after: ${peer.retried.join("; ")})` : ""}`,
    ]),
  );
  if (peerLines.length > 0) {
    out.push(
      "",
      "peers on the same points, in the same run (ratio = peer ÷ ours at one thread; above 1 ours is faster; the goal is ≥ 2× over the best peer):",
    );
    out.push(
      ...alignColumns([
        ["operator", "points", "peer", "setup ms", "ratio", "apply µs", "ratio", "check"],
        ...peerLines,
      ]),
    );
    out.push("", "lead over the best peer (best peer's median ÷ ours, same run; goal ≥ 2×):");
    for (const row of result.rows) {
      if (row.lead === undefined) continue;
      const any = row.lead_any_threads;
      out.push(
        `  ${row.operator} ${count(row.source_points)}: setup ${ratio(row.lead.setup)} over ${row.lead.over}${row.lead.apply !== undefined ? `, apply ${ratio(row.lead.apply)} over ${row.lead.apply_over}` : ""} on one thread` +
          (any === undefined
            ? ""
            : `; setup ${ratio(any.setup)} (${any.setup_threads} threads)${any.apply !== undefined ? `, apply ${ratio(any.apply)} (${any.apply_threads} threads)` : ""} at our fastest`),
      );
    }
    out.push("", "what each peer ran:");
    const seen = new Set<string>();
    for (const row of result.rows) {
      for (const peer of row.peers) {
        const line = `  ${row.operator} — ${peer.peer}: ${peer.work}`;
        if (!seen.has(line)) out.push(line);
        seen.add(line);
      }
    }
  }
  const threadLines = result.rows.flatMap((row) =>
    row.speedups.map((speedup) => [
      row.operator,
      count(row.source_points),
      `1 → ${speedup.threads}`,
      ratio(speedup.setup),
      ratio(speedup.apply),
    ]),
  );
  if (threadLines.length > 0) {
    out.push("", "threads (speedup = one-thread median ÷ median at that count, same run, interleaved):");
    out.push(...alignColumns([["operator", "points", "threads", "setup", "apply"], ...threadLines]));
  }
  for (const status of result.peers) {
    out.push(
      status.skipped !== undefined
        ? `peer ${status.peer} not run: ${status.skipped}`
        : `peer ${status.peer}: ${status.version}`,
    );
  }
  if (result.skipped.length > 0) {
    out.push("", "not measured:");
    for (const skip of result.skipped) out.push(`  ${skip.operator} at ${count(skip.points)} points: ${skip.reason}`);
  }
  return `${out.join("\n")}\n`;
}

export function mapBenchmarkJson(result: MapBenchResult): string {
  return JSON.stringify(result, null, 2);
}
