// `conflux bench coupling --nodes 2`: the coupling bench's scenario (two
// components that only write and read a field, nearest, per-window time, here
// a field that changes every window, so that a window has bytes to move) with
// B on a second simulated node, beside the same composition on one node, run
// interleaved (one node, two nodes, one node, …) so that drift on the machine
// falls on both; and, in the same run, the network stack's own floor: a TCP
// ping-pong between the two nodes of the bytes a window moved. Each figure is
// the median of the repetitions, with their spread. Starts a simulated cluster
// of its own (scripts/simulated-cluster.sh) and tears it down however it ends.
//
// Waiting. The simulated nodes share this machine's cores: a run across them
// is five processes (driver, A, B's relay, B's agent, B) where a cluster would
// give each node its own. Spinning waits then take the cores the relay and the
// agent need to move a turn (3.2 ms a window with the coupling bench's 1 ms
// hybrid spin, against 0.17 ms blocking, in one measurement), so the default
// here is to block; --wait hybrid measures the other.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findExecutable } from "../platform/executable.ts";
import { packagePath } from "../platform/package-root.ts";
import { type SimulatedCluster, startSimulatedCluster } from "../platform/simulated-cluster.ts";
import { tsxLoaderUrl } from "../platform/typescript-loader.ts";
import { readRunRecord } from "../record/run-record.ts";
import { type Distribution, scaled, summarize } from "../stats/distribution.ts";
import type { MicrosecondSummary } from "../stats/microsecond-summary.ts";
import { median } from "../stats/spread.ts";
import { type MachineDuring, MachineLoad } from "./machine-load.ts";

const APP = fileURLToPath(new URL("./coupling-app.ts", import.meta.url));
const PING_PONG = fileURLToPath(new URL("./tcp-ping-pong.ts", import.meta.url));
const CONFLUX = packagePath("bin/conflux.js");
/** What a run across nodes needs here, by executable, with the Debian package that has it. */
const NEEDED = [
  ["salloc", "slurm-client"],
  ["slurmctld", "slurm-wlm"],
  ["slurmd", "slurm-wlm"],
  ["munged", "munge"],
] as const;

/** One run's figures: its windows (from its record) and, across nodes, what B's relay moved per window. */
export interface NodesRun {
  window: MicrosecondSummary;
  bytesToNodePerWindow?: number;
  bytesFromNodePerWindow?: number;
}

export interface CouplingNodesResult {
  wait: NodesWait;
  points: number;
  windows: number;
  repeats: number;
  oneNode: NodesRun[];
  twoNodes: NodesRun[];
  /** A TCP ping-pong between the nodes of the bytes a window moved each way, µs per round trip. */
  floor: { sendBytes: number; replyBytes: number; distribution: Distribution };
  machine: MachineDuring;
}

/** Why this machine cannot run the bench, or undefined when it can. */
export function nodesBenchProblem(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root: the simulated nodes are namespaces (run it as root)";
  const missing = NEEDED.filter(([program]) => findExecutable(program) === undefined).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    return `needs Slurm and munge for its simulated nodes: apt-get install ${[...new Set(missing)].join(" ")} (conflux doctor lists what is missing)`;
  }
  return undefined;
}

/** How every side waits for its turn: `block` sleeps in the kernel, `hybrid` spins 1 ms first. */
export type NodesWait = "block" | "hybrid";

function composition(name: string, points: number, windows: number, placed: boolean, wait: NodesWait): string {
  const component = (role: string, seed: number) => `  ${role.toUpperCase()}:
    module: ${APP}
    args: { role: ${role}, points: ${points}, seed: ${seed}, drift: true }
${placed && role === "b" ? "    node: 2\n" : ""}    meshes:
      mesh: { dimension: 3, points: ${points}, fields: [written, read] }
`;
  return `version: 1
name: ${name}
${placed ? "placement: { nodes: 2 }\n" : ""}components:
${component("a", 11)}${component("b", 12)}transfers:
  - { from: A.mesh.written, to: B.mesh.read, operator: { method: nearest } }
  - { from: B.mesh.written, to: A.mesh.read, operator: { method: nearest } }
coupling:
  order: [A, B]
  iterations: ${windows}
  timeouts: { startup_ms: 120000, step_ms: 60000 }
  wait: ${wait === "block" ? "{ strategy: block }" : "{ strategy: hybrid, spin_us: 1000 }"}
`;
}

function runOnce(cluster: SimulatedCluster, file: string, results: string, placed: boolean, windows: number): NodesRun {
  const run = [process.execPath, CONFLUX, "run", file, "--results", results, "--quiet"];
  const ran = placed
    ? cluster.run("ctl", ["salloc", "-N2", "srun", "-N1", "-n1", "-w", "node1", ...run], { timeoutMs: 600_000 })
    : cluster.run("node1", run, { timeoutMs: 600_000 });
  if (ran.status !== 0) {
    throw new Error(
      `the ${placed ? "two-node" : "one-node"} run failed: ${ran.stderr.trim().split("\n").slice(-5).join("\n")}`,
    );
  }
  const directory = readdirSync(results).find((entry) => !entry.includes("."));
  if (directory === undefined) throw new Error(`the run left no record in ${results}`);
  const record = readRunRecord(join(results, directory));
  rmSync(results, { recursive: true, force: true });
  const window = record.timings.iteration;
  if (window === undefined) throw new Error("the run's record has no window timings");
  const link = record.enclaves.find((enclave) => enclave.component === "B")?.link;
  return {
    window,
    ...(link === undefined
      ? {}
      : { bytesToNodePerWindow: link.bytesToNode / windows, bytesFromNodePerWindow: link.bytesFromNode / windows }),
  };
}

/** Round trips of `sendBytes` from node1 and `replyBytes` back from node2, µs. */
async function tcpFloor(
  cluster: SimulatedCluster,
  sendBytes: number,
  replyBytes: number,
  rounds: number,
): Promise<Distribution> {
  const loader = ["--import", tsxLoaderUrl()];
  const server = cluster.start("node2", [process.execPath, ...loader, PING_PONG, "serve", String(replyBytes)]);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = "";
      server.stdout?.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes("\n")) resolve(Number((JSON.parse(text.split("\n")[0] as string) as { port: number }).port));
      });
      server.on("exit", (code) =>
        reject(new Error(`the ping-pong server on node2 ended (${code}) before it listened`)),
      );
    });
    const args = ["ping", "node2", String(port), String(sendBytes), String(rounds)];
    const ran = cluster.run("node1", [process.execPath, ...loader, PING_PONG, ...args]);
    if (ran.status !== 0) throw new Error(`the ping-pong from node1 failed: ${ran.stderr.trim()}`);
    const { samplesNs } = JSON.parse(ran.stdout) as { samplesNs: number[] };
    return scaled(summarize(Float64Array.from(samplesNs)), 1e-3);
  } finally {
    // It ends by itself when its client goes; this is for a client that never came (the cluster's down ends it too).
    server.kill();
  }
}

export async function runCouplingNodesBenchmark(
  wait: NodesWait,
  points: number,
  windows: number,
  repeats: number,
  progress: (line: string) => void = () => {},
): Promise<CouplingNodesResult> {
  const scratch = mkdtempSync(join(tmpdir(), "conflux-bench-nodes-"));
  let cluster: SimulatedCluster | undefined;
  const stop = () => {
    cluster?.down();
    rmSync(scratch, { recursive: true, force: true });
  };
  const interrupted = () => {
    stop();
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    progress("starting two simulated nodes…");
    cluster = startSimulatedCluster(2);
    const one = join(scratch, "one-node.yaml");
    const two = join(scratch, "two-nodes.yaml");
    writeFileSync(one, composition("bench-one-node", points, windows, false, wait));
    writeFileSync(two, composition("bench-two-nodes", points, windows, true, wait));
    const load = new MachineLoad();
    const oneNode: NodesRun[] = [];
    const twoNodes: NodesRun[] = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      progress(`repetition ${repeat + 1} of ${repeats}: one node, then two…`);
      oneNode.push(runOnce(cluster, one, join(scratch, `one-${repeat}`), false, windows));
      load.sample();
      twoNodes.push(runOnce(cluster, two, join(scratch, `two-${repeat}`), true, windows));
      load.sample();
    }
    const sendBytes = Math.round(median(twoNodes.map((run) => run.bytesToNodePerWindow ?? 0)));
    const replyBytes = Math.round(median(twoNodes.map((run) => run.bytesFromNodePerWindow ?? 0)));
    progress(`the TCP floor: ${windows} round trips of ${sendBytes} bytes out and ${replyBytes} back…`);
    const distribution = await tcpFloor(cluster, sendBytes, replyBytes, windows);
    load.sample();
    return {
      wait,
      points,
      windows,
      repeats,
      oneNode,
      twoNodes,
      floor: { sendBytes, replyBytes, distribution },
      machine: load.during(),
    };
  } finally {
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    stop();
  }
}
