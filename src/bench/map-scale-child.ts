// One measurement of `bench map --scale`, in a process of its own so that its
// peak memory is its own: generate the two meshes, collect garbage, note the
// resident set, set the operator up once, apply it a few times, and print one
// JSON line. Run with --expose-gc:
//
//   map-scale-child.ts METHOD POINTS THREADS
import { createOperator, type TransferSpec } from "../mapping/index.ts";
import { unitCubePoints } from "./map-points.ts";
import { SCALE_SPECS, type ScaleChildResult } from "./map-scale.ts";

const [method = "", pointsText = "", threadsText = "1"] = process.argv.slice(2);
const spec = SCALE_SPECS[method] as TransferSpec | undefined;
const points = Number(pointsText);
const threads = Number(threadsText);
if (spec === undefined || !(points >= 1) || !(threads >= 1)) {
  process.stderr.write("usage: map-scale-child.ts nearest|rbf-pu POINTS THREADS\n");
  process.exit(2);
}
const source = unitCubePoints(points, 1);
const target = unitCubePoints(points, 2);
const collect = (globalThis as { gc?: () => void }).gc;
collect?.();
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const start = performance.now();
const operator = createOperator(source, target, spec, { threads });
const setupMs = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const maxRss = process.resourceUsage().maxRSS * 1024;
const field = new Float64Array(points).map((_, index) => Math.sin(index));
const out = new Float64Array(points);
const applies: number[] = [];
for (let call = 0; call < 7; call++) {
  const begin = performance.now();
  operator.apply(field, out);
  applies.push((performance.now() - begin) * 1000);
}
applies.sort((a, b) => a - b);
const result: ScaleChildResult = {
  setup_ms: setupMs,
  cpu_ms: (cpu.user + cpu.system) / 1000,
  rss_before_bytes: rssBefore,
  max_rss_bytes: maxRss,
  operator_bytes: operator.byteLength,
  apply_us: applies[3] as number,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
// Worker threads of the setup end with the process.
process.exit(0);
