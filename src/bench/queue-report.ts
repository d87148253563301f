// Prints the queue benchmark as a table, or as the JSON the issue specifies.

import type { Spread } from "../stats/spread.ts";
import { alignColumns } from "../stats/table.ts";
import { machineLine } from "./machine-load.ts";
import type { QueueBenchmark } from "./queue.ts";

const TALK_COMMAND_QUEUE_US = "37–48 µs (process 48.3 ± 20.8, container 37.1 ± 83.0)";

function microseconds(ns: number): string {
  return (ns / 1000).toFixed(ns < 10_000 ? 3 : 1);
}

function spreadJson(value: Spread): { median: number; min: number; max: number; n: number } {
  return { median: value.median, min: value.min, max: value.max, n: value.n };
}

function spreadUs(value: Spread): string {
  return `${microseconds(value.median)} [${microseconds(value.min)}–${microseconds(value.max)}]`;
}

export function queueBenchmarkJson(result: QueueBenchmark): string {
  return JSON.stringify(
    {
      results: result.latency.map((row) => ({
        transport: row.transport,
        mode: row.mode,
        between: row.between,
        load: row.load,
        n: row.distribution.n,
        mean_ns: row.distribution.mean,
        sd_ns: row.distribution.sd,
        p50_ns: row.distribution.p50,
        p99_ns: row.distribution.p99,
        max_ns: row.distribution.max,
        repetitions: {
          p50_ns: spreadJson(row.repetitions.p50),
          p99_ns: spreadJson(row.repetitions.p99),
          mean_ns: spreadJson(row.repetitions.mean),
        },
      })),
      throughput: result.throughput.map((row) => ({
        transport: row.transport,
        mode: row.mode,
        between: row.between,
        messages: row.messages,
        seconds: row.seconds,
        messages_per_s: row.messagesPerSecond,
        repetitions: { messages_per_s: spreadJson(row.repetitions) },
      })),
      skipped: result.skipped,
      repeat: result.repeat,
      machine: result.machine,
    },
    null,
    2,
  );
}

export function queueBenchmarkTable(result: QueueBenchmark): string {
  const header = [
    "transport",
    "mode",
    "between",
    "load",
    "n",
    "mean ± sd (µs)",
    "p50 (µs)",
    "p99 (µs)",
    "max (µs)",
    `p50 of ${result.repeat} runs: median [min–max]`,
    "p99 of the runs",
  ];
  const rows = result.latency.map((row) => [
    row.transport,
    row.mode,
    row.between,
    row.load,
    String(row.distribution.n),
    `${microseconds(row.distribution.mean)} ± ${microseconds(row.distribution.sd)}`,
    microseconds(row.distribution.p50),
    microseconds(row.distribution.p99),
    microseconds(row.distribution.max),
    spreadUs(row.repetitions.p50),
    spreadUs(row.repetitions.p99),
  ]);
  const lines = [
    `Round-trip latency (one request, one reply); every row measured in each of ${result.repeat} rounds, interleaved, and shown by the round whose p50 is the median`,
    ...alignColumns([header, ...rows]),
  ];
  const floor = result.latency.find((row) => row.transport === "c-floor");
  const spin = result.latency.find(
    (row) => row.transport === "conflux" && row.mode === "spin" && row.between === "process" && row.load === "idle",
  );
  if (floor && spin) {
    lines.push(
      `conflux spin / C floor, p50, between processes, same run: ${(spin.distribution.p50 / floor.distribution.p50).toFixed(2)}×`,
    );
  }
  for (const transport of ["conflux-c", "conflux-python"] as const) {
    const client = result.latency.find((row) => row.transport === transport && row.mode === "spin");
    if (client && spin) {
      lines.push(
        `${transport} spin / conflux spin, p50, between processes, same run: ${(client.distribution.p50 / spin.distribution.p50).toFixed(2)}×`,
      );
    }
  }
  lines.push(`the talk's command queue: ${TALK_COMMAND_QUEUE_US}`, "", "One-way throughput");
  lines.push(
    ...alignColumns([
      ["transport", "mode", "between", "messages", "seconds", "messages/s", "range over the runs"],
      ...result.throughput.map((row) => [
        row.transport,
        row.mode,
        row.between,
        String(row.messages),
        row.seconds.toFixed(3),
        Math.round(row.messagesPerSecond).toLocaleString("en-US"),
        `${Math.round(row.repetitions.min).toLocaleString("en-US")}–${Math.round(row.repetitions.max).toLocaleString("en-US")}`,
      ]),
    ]),
  );
  for (const reason of result.skipped) lines.push(`skipped: ${reason}`);
  lines.push(machineLine(result.machine));
  return `${lines.join("\n")}\n`;
}
