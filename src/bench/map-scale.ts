// `conflux bench map --scale`: nearest neighbour up to 10^7 points and RBF-PU
// up to 10^6, each measurement in a fresh process (map-scale-child.ts) so that
// the peak resident set it reports is that setup's: bytes per point = (peak
// resident set − resident set before setup, meshes already made) ÷ points.
// Repetitions of every size and thread count run interleaved; the growth
// exponent of setup time is fitted over the sizes measured.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tsxLoaderUrl } from "../platform/typescript-loader.ts";
import { alignColumns } from "../stats/table.ts";
import { type MachineDuring, MachineLoad, machineLine } from "./machine-load.ts";
import { count } from "./map.ts";
import { type Figure, figureOf, growthExponent } from "./map-figures.ts";

const CHILD = fileURLToPath(new URL("./map-scale-child.ts", import.meta.url));

export const SCALE_SPECS: Record<string, object> = {
  nearest: { method: "nearest" },
  "rbf-pu": { method: "rbf-pu", kernel: "wendland-c2", radius: 0.3 },
};

export interface ScaleChildResult {
  setup_ms: number;
  cpu_ms: number;
  rss_before_bytes: number;
  max_rss_bytes: number;
  operator_bytes: number;
  apply_us: number;
}

export interface MapScaleRow {
  operator: string;
  points: number;
  threads: number;
  setup_s: Figure;
  /** CPU time of the whole process (every thread) per setup. */
  cpu_s: Figure;
  /** (peak resident set − resident set before the setup) ÷ points. */
  peak_bytes_per_point: Figure;
  /** The operator's own arrays ÷ points. */
  operator_bytes_per_point: number;
  apply_ms: Figure;
}

export interface MapScaleResult {
  rows: MapScaleRow[];
  /** Exponent b of setup time ≈ a · points^b, per operator and thread count, over the sizes measured. */
  growth: { operator: string; threads: number; exponent: number; sizes: number[] }[];
  targets: { what: string; target: string; measured: string; met: boolean }[];
  repetitions: number;
  machine: MachineDuring;
}

export interface MapScaleOptions {
  quick?: boolean;
  threads?: readonly number[];
  repetitions?: number;
  only?: string;
  progress?: (what: string) => void;
}

function runChild(method: string, points: number, threads: number): Promise<ScaleChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--import", tsxLoaderUrl(), CHILD, method, String(points), String(threads)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    // Far above the slowest setup measured (10^7 nearest points on a loaded machine).
    const timer = setTimeout(() => child.kill("SIGKILL"), 15 * 60_000);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as ScaleChildResult);
      else {
        reject(
          new Error(
            `bench map --scale: ${method} at ${points} points on ${threads} threads ended ${code ?? signal}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`,
          ),
        );
      }
    });
  });
}

export async function runMapScale(options: MapScaleOptions = {}): Promise<MapScaleResult> {
  const quick = options.quick === true;
  const sizes: Record<string, number[]> = quick
    ? { nearest: [1e4, 1e5], "rbf-pu": [3e3, 1e4] }
    : { nearest: [1e5, 1e6, 1e7], "rbf-pu": [1e4, 1e5, 1e6] };
  const threads = [...new Set(options.threads ?? [1])];
  const repetitions = Math.max(5, options.repetitions ?? 5);
  const machine = new MachineLoad();
  const methods = Object.keys(sizes).filter((method) => options.only === undefined || method.includes(options.only));
  const samples = new Map<string, ScaleChildResult[]>();
  const key = (method: string, points: number, count: number) => `${method}@${points}@${count}`;
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const method of methods) {
      for (const points of sizes[method] as number[]) {
        for (const count of threads) {
          options.progress?.(
            `${method} at ${points} points, ${count} thread(s), repetition ${repetition + 1}/${repetitions}`,
          );
          const result = await runChild(method, points, count);
          const list = samples.get(key(method, points, count)) ?? [];
          list.push(result);
          samples.set(key(method, points, count), list);
          machine.sample();
        }
      }
    }
  }
  const rows: MapScaleRow[] = [];
  const growth: MapScaleResult["growth"] = [];
  for (const method of methods) {
    for (const count of threads) {
      const measured = sizes[method] as number[];
      for (const points of measured) {
        const list = samples.get(key(method, points, count)) ?? [];
        rows.push({
          operator: method,
          points,
          threads: count,
          setup_s: figureOf(list.map((item) => item.setup_ms / 1000)),
          cpu_s: figureOf(list.map((item) => item.cpu_ms / 1000)),
          peak_bytes_per_point: figureOf(list.map((item) => (item.max_rss_bytes - item.rss_before_bytes) / points)),
          operator_bytes_per_point: (list[0]?.operator_bytes ?? 0) / points,
          apply_ms: figureOf(list.map((item) => item.apply_us / 1000)),
        });
      }
      const series = rows.filter((row) => row.operator === method && row.threads === count);
      growth.push({
        operator: method,
        threads: count,
        exponent: growthExponent(
          series.map((row) => row.points),
          series.map((row) => row.setup_s.median),
        ),
        sizes: measured,
      });
    }
  }
  const targets: MapScaleResult["targets"] = [];
  const best = (method: string, points: number) =>
    rows
      .filter((row) => row.operator === method && row.points === points)
      .sort((a, b) => a.setup_s.median - b.setup_s.median)[0];
  const nearest = best("nearest", 1e7);
  if (nearest !== undefined) {
    targets.push({
      what: `nearest setup at 10^7 points (${nearest.threads} thread(s))`,
      target: "≤ 15 s",
      measured: `${nearest.setup_s.median.toFixed(1)} s`,
      met: nearest.setup_s.median <= 15,
    });
  }
  const pu = best("rbf-pu", 1e6);
  if (pu !== undefined) {
    targets.push({
      what: `rbf-pu setup at 10^6 points (${pu.threads} thread(s))`,
      target: "≤ 10 s",
      measured: `${pu.setup_s.median.toFixed(1)} s`,
      met: pu.setup_s.median <= 10,
    });
    targets.push({
      what: "rbf-pu peak memory at 10^6 points",
      target: "≤ 200 bytes per point",
      measured: `${pu.peak_bytes_per_point.median.toFixed(0)} bytes per point (the operator itself: ${pu.operator_bytes_per_point.toFixed(0)})`,
      met: pu.peak_bytes_per_point.median <= 200,
    });
  }
  return {
    rows,
    growth,
    targets,
    repetitions,
    machine: machine.during(),
  };
}

function spread(figure: Figure, digits: number): string {
  return `${figure.median.toFixed(digits)} (${figure.min.toFixed(digits)}–${figure.max.toFixed(digits)})`;
}

export function mapScaleTable(result: MapScaleResult): string {
  const { machine } = result;
  const out = [
    "conflux bench map --scale: random points in the unit cube, source and target meshes of the same size; every measurement in a fresh process",
    `every figure: median (fastest–slowest) of ${result.repetitions} repetitions, sizes and thread counts interleaved; memory: (peak resident set − resident set before setup) ÷ points`,
    machineLine(machine),
    "",
  ];
  const header = ["operator", "points", "threads", "setup s", "cpu s", "peak B/point", "operator B/point", "apply ms"];
  const lines = result.rows.map((row) => [
    row.operator,
    count(row.points),
    String(row.threads),
    spread(row.setup_s, 2),
    row.cpu_s.median.toFixed(2),
    spread(row.peak_bytes_per_point, 0),
    row.operator_bytes_per_point.toFixed(0),
    spread(row.apply_ms, 2),
  ]);
  out.push(...alignColumns([header, ...lines]), "");
  out.push("growth of setup time (exponent b of time ≈ a · points^b):");
  for (const item of result.growth) {
    out.push(
      `  ${item.operator}, ${item.threads} thread(s), over ${item.sizes.map(count).join(", ")}: ${item.exponent.toFixed(2)}`,
    );
  }
  if (result.targets.length > 0) {
    out.push("", "targets:");
    for (const target of result.targets) {
      out.push(`  ${target.what}: ${target.measured} (target ${target.target}${target.met ? ", met" : ", not met"})`);
    }
  }
  return `${out.join("\n")}\n`;
}

export function mapScaleJson(result: MapScaleResult): string {
  return JSON.stringify(result, null, 2);
}
