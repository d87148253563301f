// `conflux bench map`: setup and apply time of every transfer operator, at the
// talk's size (3,000 random points in the unit cube onto 3,000 others) and as
// the meshes grow, with the preCICE 3.4.1 figures measured on this machine kind
// and the project's targets printed beside ours. Setup is timed several times
// (the first run includes compiling the code; the median is reported); apply is
// timed one call at a time into a preallocated buffer, so its distribution
// (mean ± sd, p50, p99, max and where the max fell) is the per-iteration cost
// a coupling driver would see.
import { cpus, loadavg } from "node:os";
import { createOperator, type PointSet, pointSetFromMetadata, type TransferSpec } from "../mapping/index.ts";
import { summarize } from "../stats/distribution.ts";

export interface MapBenchRow {
  operator: string;
  source_points: number;
  target_points: number;
  /** Median of the warm setup runs (the first run, which includes JIT compilation, is setup_cold_ms). */
  setup_ms: number;
  n: number;
  mean_us: number;
  sd_us: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  points_per_s: number;
  /** Bytes of the operator's arrays. */
  memory_bytes: number;
  setup_cold_ms: number;
  /** Fastest warm setup: the closest figure to an unloaded machine when other work shares the cores. */
  setup_min_ms: number;
  setup_runs: number;
  /** Growth of the resident set over the first setup (includes garbage not yet collected). */
  rss_delta_bytes: number;
  /** Which apply call (0-based) took max_us. */
  max_at: number;
  /** preCICE 3.4.1 on this machine kind, where it was measured for the same work. */
  precice?: string;
  /** The project's target for this row, where there is one. */
  target?: string;
}

export interface MapBenchSkip {
  operator: string;
  points: number;
  reason: string;
}

export interface MapBenchResult {
  rows: MapBenchRow[];
  skipped: MapBenchSkip[];
  /** 1-minute load average before and after the run, and the CPU count: on 2 cores, any other load shows. */
  machine: { cpus: number; load_before: number; load_after: number };
}

interface BenchCase {
  label: string;
  spec: TransferSpec;
  sizes: readonly number[];
}

const TALK_SIZE = 3000;

/** preCICE 3.4.1, Release build, measured on this machine kind (see DESIGN.md). */
const PRECICE: Record<string, string> = {
  [`nearest@${TALK_SIZE}`]: "setup 12 ms; window p50 232 µs (incl. signalling)",
  [`rbf-pu wendland-c2 r=0.3@${TALK_SIZE}`]: "setup 57 ms; apply 3–4 ms per side",
  "rbf-pu wendland-c2 r=0.3@30000": "setup 0.41 s",
  "rbf-pu wendland-c2 r=0.3@100000": "setup 1.6 s",
  [`rbf wendland-c2 r=0.3@${TALK_SIZE}`]: "global RBF setup 0.82 s; window p50 35 ms",
  [`rbf gaussian l=0.1@${TALK_SIZE}`]: "global RBF setup 0.82 s; window p50 35 ms",
  [`rbf tps@${TALK_SIZE}`]: "global RBF setup 0.82 s; window p50 35 ms",
};

const TARGETS: Record<string, string> = {
  [`nearest@${TALK_SIZE}`]: "setup ≤ 2 ms, apply ≤ 20 µs",
  "nearest@1000000": "setup ≤ 2 s, apply ≤ 20 ms",
  [`rbf-pu wendland-c2 r=0.3@${TALK_SIZE}`]: "setup ≤ 20 ms, apply ≤ 0.5 ms",
  "rbf-pu wendland-c2 r=0.3@100000": "setup ≤ 1 s",
  [`rbf wendland-c2 r=0.3@${TALK_SIZE}`]: "setup ≤ 0.82 s",
  [`rbf gaussian l=0.1@${TALK_SIZE}`]: "setup ≤ 0.82 s",
  [`rbf tps@${TALK_SIZE}`]: "setup ≤ 0.82 s",
};

function cases(quick: boolean): { run: BenchCase[]; skipped: MapBenchSkip[] } {
  const grow = (full: readonly number[], small: readonly number[]) => (quick ? small : full);
  const run: BenchCase[] = [
    { label: "nearest", spec: { method: "nearest" }, sizes: grow([TALK_SIZE, 1e3, 1e4, 1e5, 1e6], [TALK_SIZE, 1e4]) },
    { label: "nearest conservative", spec: { method: "nearest", conservative: true }, sizes: [TALK_SIZE] },
    { label: "mls linear k=10", spec: { method: "mls" }, sizes: grow([TALK_SIZE, 1e3, 1e4, 1e5], [TALK_SIZE]) },
    { label: "mls quadratic k=22", spec: { method: "mls", basis: "quadratic" }, sizes: [TALK_SIZE] },
    { label: "mls linear conservative", spec: { method: "mls", conservative: true }, sizes: [TALK_SIZE] },
    {
      label: "rbf-pu wendland-c2 r=0.3",
      spec: { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3 },
      sizes: grow([TALK_SIZE, 1e3, 1e4, 3e4, 1e5], [TALK_SIZE]),
    },
    {
      label: "rbf-pu conservative",
      spec: { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3, conservative: true },
      sizes: [TALK_SIZE],
    },
    {
      label: "rbf wendland-c2 r=0.3",
      spec: { method: "rbf", kernel: "wendland-c2", radius: 0.3 },
      sizes: grow([1e3, TALK_SIZE], [1e3]),
    },
    {
      label: "rbf gaussian l=0.1",
      spec: { method: "rbf", kernel: "gaussian", radius: 0.1 },
      sizes: grow([TALK_SIZE], []),
    },
    { label: "rbf tps", spec: { method: "rbf", kernel: "tps" }, sizes: grow([1e3, TALK_SIZE], [1e3]) },
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
      reason: "setup grows linearly (see 10^5); left out so that the default run stays within a few minutes",
    },
  ];
  if (quick) skipped.push({ operator: "growth series", points: 1e5, reason: "--quick: sizes above 10^4 left out" });
  return { run, skipped };
}

/** Seeded uniform points in the unit cube (mulberry32), so runs are comparable. */
export function unitCubePoints(count: number, seed: number): PointSet {
  let state = seed >>> 0;
  const coordinates = new Float64Array(3 * count);
  for (let index = 0; index < coordinates.length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    coordinates[index] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return pointSetFromMetadata({ dimension: 3, count, layout: "interleaved" }, coordinates);
}

/** Warm setups after the cold one: many where they are cheap (the JIT needs a few to settle), none where one takes seconds. */
function extraSetupRuns(coldMs: number): number {
  if (coldMs < 10) return 41;
  if (coldMs < 50) return 11;
  if (coldMs < 1000) return 3;
  if (coldMs < 5000) return 1;
  return 0;
}

const APPLY_BUDGET_MS = 400;
const MAX_SAMPLES = 5000;
const MIN_SAMPLES = 10;

export function runMapBenchmark(options: { quick?: boolean; progress?: (what: string) => void } = {}): MapBenchResult {
  const { run, skipped } = cases(options.quick === true);
  const loadBefore = loadavg()[0] ?? 0;
  const rows: MapBenchRow[] = [];
  const samples = new Float64Array(MAX_SAMPLES);
  for (const benchCase of run) {
    for (const points of benchCase.sizes) {
      options.progress?.(`${benchCase.label}, ${points} → ${points} points`);
      const source = unitCubePoints(points, 1);
      const target = unitCubePoints(points, 2);
      const rssBefore = process.memoryUsage().rss;
      const coldStart = performance.now();
      let operator = createOperator(source, target, benchCase.spec);
      const cold = performance.now() - coldStart;
      const rssDelta = process.memoryUsage().rss - rssBefore;
      // The first setup includes compiling the code paths; the reported figure is the median of the warm ones.
      const warmRuns = extraSetupRuns(cold);
      const setupTimes: number[] = [];
      for (let attempt = 0; attempt < warmRuns; attempt++) {
        const start = performance.now();
        operator = createOperator(source, target, benchCase.spec);
        setupTimes.push(performance.now() - start);
      }
      if (setupTimes.length === 0) setupTimes.push(cold);
      const field = new Float64Array(source.count);
      for (let index = 0; index < field.length; index++) field[index] = Math.sin(index);
      const out = new Float64Array(target.count);
      for (let warm = 0; warm < 5; warm++) operator.apply(field, out);
      let count = 0;
      const budgetEnd = performance.now() + APPLY_BUDGET_MS;
      while (count < MAX_SAMPLES && (count < MIN_SAMPLES || performance.now() < budgetEnd)) {
        const start = performance.now();
        operator.apply(field, out);
        samples[count++] = (performance.now() - start) * 1000;
      }
      let maxAt = 0;
      for (let index = 1; index < count; index++)
        if ((samples[index] as number) > (samples[maxAt] as number)) maxAt = index;
      const summary = summarize(samples, count);
      const key = `${benchCase.label}@${points}`;
      setupTimes.sort((a, b) => a - b);
      rows.push({
        operator: benchCase.label,
        source_points: points,
        target_points: points,
        setup_ms: setupTimes[Math.floor(setupTimes.length / 2)] as number,
        n: summary.n,
        mean_us: summary.mean,
        sd_us: summary.sd,
        p50_us: summary.p50,
        p99_us: summary.p99,
        max_us: summary.max,
        points_per_s: target.count / (summary.mean * 1e-6),
        memory_bytes: operator.byteLength,
        setup_cold_ms: cold,
        setup_min_ms: setupTimes[0] as number,
        setup_runs: setupTimes.length,
        rss_delta_bytes: rssDelta,
        max_at: maxAt,
        ...(PRECICE[key] !== undefined && { precice: PRECICE[key] }),
        ...(TARGETS[key] !== undefined && { target: TARGETS[key] }),
      });
    }
  }
  return { rows, skipped, machine: { cpus: cpus().length, load_before: loadBefore, load_after: loadavg()[0] ?? 0 } };
}

function figure(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function bytes(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} GB`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} kB`;
  return `${value} B`;
}

function count(value: number): string {
  return value >= 1e6 && value % 1e6 === 0
    ? `${value / 1e6}M`
    : value >= 1e3 && value % 1e3 === 0
      ? `${value / 1e3}k`
      : String(value);
}

/** The human report: one line per operator and size, then the reference figures, targets and what was skipped. */
export function mapBenchmarkTable(result: MapBenchResult): string {
  const header = [
    "operator",
    "points",
    "setup ms",
    "min",
    "(cold)",
    "apply µs mean ± sd",
    "p50",
    "p99",
    "max (at call)",
    "Mpoints/s",
    "operator memory",
    "rss Δ",
  ];
  const lines = result.rows.map((row) => [
    row.operator,
    `${count(row.source_points)}→${count(row.target_points)}`,
    figure(row.setup_ms),
    figure(row.setup_min_ms),
    `(${figure(row.setup_cold_ms)})`,
    `${figure(row.mean_us)} ± ${figure(row.sd_us)}`,
    figure(row.p50_us),
    figure(row.p99_us),
    `${figure(row.max_us)} (#${row.max_at})`,
    figure(row.points_per_s / 1e6),
    bytes(row.memory_bytes),
    bytes(Math.max(0, row.rss_delta_bytes)),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] as string).length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join("  ")
      .trimEnd();
  const out = [
    "conflux bench map: random points in the unit cube, source and target meshes of the same size, one scalar field",
    "setup: median and fastest of the warm runs (the first, cold, run in parentheses); apply: one call at a time into a preallocated buffer",
    `machine: ${result.machine.cpus} CPUs, load average ${result.machine.load_before.toFixed(2)} before and ${result.machine.load_after.toFixed(2)} after (other work on the machine inflates every figure)`,
    "",
    render(header),
    ...lines.map(render),
    "",
    "beside preCICE 3.4.1 (Release, measured on this machine kind) and the project's targets:",
  ];
  for (const row of result.rows) {
    if (row.precice === undefined && row.target === undefined) continue;
    out.push(
      `  ${row.operator} ${count(row.source_points)}: ours setup ${figure(row.setup_ms)} ms (fastest ${figure(row.setup_min_ms)}), apply ${figure(row.mean_us)} µs (p50 ${figure(row.p50_us)})` +
        `${row.target !== undefined ? ` | target ${row.target}` : ""}${row.precice !== undefined ? ` | preCICE ${row.precice}` : ""}`,
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
