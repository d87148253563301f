// `conflux bench map`: the transfer operators' setup and apply times beside the peers (see src/bench/map.ts),
// and with --scale their growth to 10^7 points (src/bench/map-scale.ts).

import { type Command, InvalidArgumentError } from "commander";
import { MAP_PEERS, type MapPeerName } from "../bench/map-peer-names.ts";
import { withBenchProgress } from "./task-progress.ts";

function peerList(text: string): MapPeerName[] {
  const names = text.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(MAP_PEERS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown peer ${name}; the peers are ${MAP_PEERS.join(", ")}`);
    }
  }
  return names as MapPeerName[];
}

function threadList(text: string): number[] {
  const counts = text.split(",").map((item) => Number(item.trim()));
  if (counts.length === 0 || counts.some((count) => !Number.isInteger(count) || count < 1 || count > 256)) {
    throw new InvalidArgumentError(
      `--threads takes whole numbers from 1 to 256, comma-separated (e.g. 1,2); got ${text}`,
    );
  }
  return counts;
}

function repetitions(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 5) {
    throw new InvalidArgumentError(
      `--repeat takes a whole number ≥ 5 (every figure is a median of at least five); got ${text}`,
    );
  }
  return value;
}

export function registerBenchMap(bench: Command): void {
  bench
    .command("map")
    .description(
      "setup and apply time of each transfer operator at 3,000 points (the talk's size) and as the mesh grows, beside scipy and preCICE on the same points (--peer), at several thread counts (--threads), or up to 10^7 points (--scale)",
    )
    .option(
      "--json",
      "print JSON: { rows: [ { operator, source_points, target_points, ours: [ { threads, setup_ms: {median, min, max, n}, setup_cpu_ms, apply_us, apply_p99_us, memory_bytes, … } ], speedups: [ { threads, setup, apply } ], peers: [ { peer, work, setup_ms, apply_us, setup_ratio, apply_ratio, check } ], lead } ], peers, skipped, machine }; with --scale: { rows: [ { operator, points, threads, setup_s, peak_bytes_per_point, … } ], growth, targets, machine }",
    )
    .option(
      "--quick",
      "only the 3,000-point operators and sizes up to 10^4 (seconds instead of minutes); with --scale, sizes up to 10^5",
    )
    .option("--peer <names>", `measure these peers beside ours, interleaved: ${MAP_PEERS.join(", ")}`, peerList)
    .option(
      "--threads <counts>",
      "also measure at these thread counts, e.g. 1,2 (speedups against one thread)",
      threadList,
    )
    .option("--repeat <n>", "repetitions of every figure (≥ 5, default 5; cheap ones repeat more)", repetitions)
    .option("--only <text>", "only the operators whose name contains this (e.g. rbf-pu)")
    .option("--scale", "nearest to 10^7 points and rbf-pu to 10^6: setup time, peak memory per point, growth exponent")
    .action(
      async (options: {
        json?: boolean;
        quick?: boolean;
        peer?: MapPeerName[];
        threads?: number[];
        repeat?: number;
        only?: string;
        scale?: boolean;
      }) => {
        if (options.scale === true) {
          const { mapScaleJson, mapScaleTable, runMapScale } = await import("../bench/map-scale.ts");
          const result = await withBenchProgress("bench map --scale", (progress) =>
            runMapScale({
              quick: options.quick === true,
              threads: options.threads ?? [1],
              ...(options.repeat !== undefined && { repetitions: options.repeat }),
              ...(options.only !== undefined && { only: options.only }),
              progress,
            }),
          );
          process.stdout.write(options.json ? `${mapScaleJson(result)}\n` : mapScaleTable(result));
          return;
        }
        const { mapBenchmarkJson, mapBenchmarkTable, runMapBenchmark } = await import("../bench/map.ts");
        const result = await withBenchProgress("bench map", (progress) =>
          runMapBenchmark({
            quick: options.quick === true,
            peers: options.peer ?? [],
            threads: options.threads ?? [],
            ...(options.repeat !== undefined && { repetitions: options.repeat }),
            ...(options.only !== undefined && { only: options.only }),
            progress,
          }),
        );
        process.stdout.write(options.json ? `${mapBenchmarkJson(result)}\n` : mapBenchmarkTable(result));
      },
    );
}
