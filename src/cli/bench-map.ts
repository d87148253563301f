// `conflux bench map`: the transfer operators' setup and apply times (see src/bench/map.ts).
import type { Command } from "commander";
import { mapBenchmarkJson, mapBenchmarkTable, runMapBenchmark } from "../bench/map.ts";

export function registerBenchMap(bench: Command): void {
  bench
    .command("map")
    .description(
      "setup and apply time of each transfer operator at 3,000 points (the talk's size) and as the mesh grows to 10^6, beside preCICE 3.4.1",
    )
    .option(
      "--json",
      "print JSON: { rows: [ { operator, source_points, target_points, setup_ms, n, mean_us, sd_us, p50_us, p99_us, max_us, points_per_s, memory_bytes, … } ], skipped: [...] }",
    )
    .option("--quick", "only the 3,000-point operators and sizes up to 10^4 (seconds instead of minutes)")
    .action((options: { json?: boolean; quick?: boolean }) => {
      const result = runMapBenchmark({
        quick: options.quick === true,
        progress: (what) => process.stderr.write(`measuring ${what}…\n`),
      });
      process.stdout.write(options.json ? `${mapBenchmarkJson(result)}\n` : mapBenchmarkTable(result));
    });
}
