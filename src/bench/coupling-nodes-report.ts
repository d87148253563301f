// The report of `conflux bench coupling --nodes 2`: each column's figures as
// the median of its repetitions with their range, the bytes a window moved,
// the TCP floor measured in the same run, and the ratios between figures of
// this one run only.
import type { MicrosecondSummary } from "../stats/microsecond-summary.ts";
import { median } from "../stats/spread.ts";
import { alignColumns, formatMicroseconds } from "../stats/table.ts";
import type { CouplingNodesResult, NodesRun } from "./coupling-nodes.ts";
import { distributionJson } from "./distribution-json.ts";
import { machineLine } from "./machine-load.ts";

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function figure(runs: readonly NodesRun[], pick: (window: MicrosecondSummary) => number): Spread {
  return spread(runs.map((run) => pick(run.window)));
}

function shown(value: Spread): string {
  return `${formatMicroseconds(value.median)} [${formatMicroseconds(value.min)}–${formatMicroseconds(value.max)}]`;
}

function bytes(runs: readonly NodesRun[]): { toNode: number; fromNode: number } {
  return {
    toNode: median(runs.map((run) => run.bytesToNodePerWindow ?? Number.NaN)),
    fromNode: median(runs.map((run) => run.bytesFromNodePerWindow ?? Number.NaN)),
  };
}

export function couplingNodesJson(result: CouplingNodesResult): string {
  const column = (runs: readonly NodesRun[]) => ({
    runs: runs.map((run) => ({
      ...run.window,
      ...(run.bytesToNodePerWindow === undefined
        ? {}
        : {
            bytes_to_node_per_window: run.bytesToNodePerWindow,
            bytes_from_node_per_window: run.bytesFromNodePerWindow,
          }),
    })),
    p50_us: figure(runs, (window) => window.p50_us),
    p99_us: figure(runs, (window) => window.p99_us),
  });
  const one = figure(result.oneNode, (window) => window.p50_us).median;
  const two = figure(result.twoNodes, (window) => window.p50_us).median;
  const moved = bytes(result.twoNodes);
  return JSON.stringify({
    wait: result.wait,
    points: result.points,
    windows: result.windows,
    repeats: result.repeats,
    one_node: column(result.oneNode),
    two_nodes: {
      ...column(result.twoNodes),
      bytes_to_node_per_window: moved.toNode,
      bytes_from_node_per_window: moved.fromNode,
    },
    tcp_floor: {
      send_bytes: result.floor.sendBytes,
      reply_bytes: result.floor.replyBytes,
      ...distributionJson(result.floor.distribution),
    },
    ratios: {
      two_nodes_over_one_node_p50: two / one,
      two_nodes_over_tcp_floor_p50: two / result.floor.distribution.p50,
    },
    machine: result.machine,
  });
}

export function couplingNodesTable(result: CouplingNodesResult): string {
  const moved = bytes(result.twoNodes);
  const floor = result.floor.distribution;
  const oneP50 = figure(result.oneNode, (window) => window.p50_us);
  const twoP50 = figure(result.twoNodes, (window) => window.p50_us);
  const lines = [
    `Per coupling window as seen by A (µs), nearest, ${result.points} points a mesh, ${result.windows} windows; B on node2 of two simulated nodes beside both on one; ${result.repeats} repetitions each, interleaved, every side waiting by ${result.wait === "block" ? "blocking" : "a 1 ms spin, then blocking"}: median [min–max] of the runs' figures`,
    ...alignColumns([
      ["column", "p50", "p99", "mean", "bytes a window to node2 / from node2"],
      [
        "one node",
        shown(oneP50),
        shown(figure(result.oneNode, (window) => window.p99_us)),
        shown(figure(result.oneNode, (window) => window.mean_us)),
        "(shared memory)",
      ],
      [
        "two nodes",
        shown(twoP50),
        shown(figure(result.twoNodes, (window) => window.p99_us)),
        shown(figure(result.twoNodes, (window) => window.mean_us)),
        `${Math.round(moved.toNode)} / ${Math.round(moved.fromNode)}`,
      ],
      [
        "TCP ping-pong node1 ↔ node2",
        formatMicroseconds(floor.p50),
        formatMicroseconds(floor.p99),
        `${formatMicroseconds(floor.mean)} ± ${formatMicroseconds(floor.sd)}`,
        `${result.floor.sendBytes} / ${result.floor.replyBytes} (n ${floor.n})`,
      ],
    ]),
    `two nodes / one node, p50: ${(twoP50.median / oneP50.median).toFixed(1)}×; two nodes / the TCP floor, p50: ${(twoP50.median / floor.p50).toFixed(1)}× (figures of this run only)`,
    machineLine(result.machine),
  ];
  return `${lines.join("\n")}\n`;
}
