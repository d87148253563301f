// `conflux bench queue`: round-trip latency of the conflux command queue
// between processes and between threads, for each wait strategy, beside a
// pipe, a Unix socket, a MessagePort and the C cache-line floor, all measured
// in this one run; the same queue with a peer written with the C or the
// Python client (conflux-c, conflux-python); plus one-way throughput. Spin and
// hybrid rows are measured twice: on an idle machine, and with a busy process
// competing for the two cores (a driver and two spinning components are three
// spinners on two cores). Every row is measured once in each of --repeat
// rounds (at least five), the rows one after the other within a round, so that
// drift on the machine falls on all of them; a row is reported by its median
// round, with the spread of the rounds beside it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { native } from "../native/index.ts";
import { compilerCommand } from "../platform/c-compiler.ts";
import { packagePath } from "../platform/package-root.ts";
import { tsxLoaderUrl } from "../platform/typescript-loader.ts";
import { Channel } from "../queue/channel.ts";
import { Message } from "../queue/message.ts";
import type { WaitKind } from "../queue/wait-strategy.ts";
import { Run } from "../shm/run.ts";
import { type Distribution, summarize } from "../stats/distribution.ts";
import { medianIndex, type Spread, spread } from "../stats/spread.ts";
import { measureCFloor } from "./c-floor-runner.ts";
import { type MachineDuring, MachineLoad } from "./machine-load.ts";
import { messagePortRoundTrips, pipeRoundTrips, unixSocketRoundTrips } from "./queue-baselines.ts";
import { PeerOpcode } from "./queue-peer.ts";

export type Transport =
  | "conflux"
  | "conflux-c"
  | "conflux-python"
  | "pipe"
  | "unix-socket"
  | "message-port"
  | "c-floor";
export type Between = "process" | "thread";
export type Load = "idle" | "oversubscribed";

export interface LatencyRow {
  transport: Transport;
  mode: WaitKind | "none";
  between: Between;
  load: Load;
  /** The repetition whose p50 is the median. */
  distribution: Distribution;
  /** Over the repetitions, in nanoseconds. */
  repetitions: { p50: Spread; p99: Spread; mean: Spread };
}

export interface ThroughputRow {
  transport: Transport;
  mode: WaitKind;
  between: Between;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Messages per second over the repetitions (the row's figures are the median one's). */
  repetitions: Spread;
}

export interface QueueBenchmark {
  latency: LatencyRow[];
  throughput: ThroughputRow[];
  skipped: string[];
  /** Repetitions of every row, interleaved. */
  repeat: number;
  machine: MachineDuring;
}

export interface QueueBenchOptions {
  iterations: number;
  /** Rounds of every configuration, one after the other (default 5). */
  repeat?: number;
  /** Called before each measurement, for progress lines. */
  progress?: (what: string) => void;
}

const PEER_MAIN = fileURLToPath(new URL("./queue-peer-main.ts", import.meta.url));
const TYPESCRIPT_WORKER = new URL("./typescript-worker.js", import.meta.url);
const SPIN_NS = 50_000;

interface Peer {
  stopped: Promise<void>;
  kill(): void;
}

/** An echo peer written with another client (clients/c, clients/python); RUN_DIR CHANNEL KIND SPIN_NS are appended. */
interface ForeignPeer {
  transport: "conflux-c" | "conflux-python";
  command: string[];
  env?: Record<string, string>;
}

function startPeer(
  between: Between,
  runDirectory: string,
  channelName: string,
  kind: WaitKind,
  foreign?: ForeignPeer,
): Peer {
  if (between === "process") {
    const [file = "", ...args] = foreign?.command ?? [process.execPath, "--import", tsxLoaderUrl(), PEER_MAIN];
    const child: ChildProcess = spawn(file, [...args, runDirectory, channelName, kind, String(SPIN_NS)], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, ...foreign?.env },
    });
    return {
      stopped: new Promise((resolve) => child.once("exit", () => resolve())),
      kill: () => child.kill("SIGKILL"),
    };
  }
  const worker = new Worker(TYPESCRIPT_WORKER, {
    workerData: {
      module: new URL("./queue-peer-main.ts", import.meta.url).href,
      runDirectory,
      channelName,
      kind,
      spinNs: SPIN_NS,
    },
  });
  return {
    stopped: new Promise((resolve) => worker.once("exit", () => resolve())),
    kill: () => void worker.terminate(),
  };
}

/** Starts a process that only burns a core, to oversubscribe the machine. */
function startHog(): ChildProcess {
  return spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
}

async function withChannel<T>(
  between: Between,
  kind: WaitKind,
  body: (channel: Channel) => T,
  foreign?: ForeignPeer,
): Promise<T> {
  const run = Run.create();
  const channel = Channel.create(run, `bench-${between}-${kind}`, {
    wait: { kind, spinNs: SPIN_NS, timeoutNs: 120e9 },
    opcodes: Object.values(PeerOpcode),
  });
  const peer = startPeer(between, run.directory, channel.name, kind, foreign);
  let gone = false;
  void peer.stopped.then(() => {
    gone = true;
  });
  try {
    // Let the peer attach before measuring (asynchronously: a worker needs this thread's event loop to start).
    while (channel.componentPid === 0) {
      if (gone) throw new Error(`the ${foreign?.transport ?? "conflux"} peer exited before it attached to the channel`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const result = body(channel);
    channel.send(new Message().set(PeerOpcode.stop));
    await peer.stopped;
    return result;
  } catch (error) {
    peer.kill();
    await peer.stopped;
    throw error;
  } finally {
    channel.close();
    run.close();
  }
}

/** Round trips through a channel: request, then the echoed reply; one clock read per sample. */
function confluxRoundTrips(channel: Channel, iterations: number, warmup: number): Float64Array {
  const request = new Message();
  const reply = new Message();
  for (let index = 0; index < warmup; index++) channel.request(request.set(PeerOpcode.ping, index), reply);
  const samples = new Float64Array(iterations);
  let previous = native.monotonicNs();
  for (let index = 0; index < iterations; index++) {
    channel.request(request.set(PeerOpcode.ping, index), reply);
    const now = native.monotonicNs();
    samples[index] = now - previous;
    previous = now;
  }
  return samples;
}

/** One-way: `messages` sends back to back, then one request that the peer answers once it has them all. */
function confluxFlood(channel: Channel, messages: number): number {
  const message = new Message();
  const reply = new Message();
  const started = native.monotonicNs();
  for (let index = 0; index < messages; index++) channel.send(message.set(PeerOpcode.flood, index));
  channel.request(message.set(PeerOpcode.floodEnd), reply);
  const seconds = (native.monotonicNs() - started) / 1e9;
  if (reply.payload[0] !== messages || reply.payload[2] !== 0) {
    throw new Error(
      `throughput check failed: the peer received ${reply.payload[0]} of ${messages} messages, ${reply.payload[2]} out of order`,
    );
  }
  return seconds;
}

const CLIENTS = packagePath("clients/");

/** The C and Python echo peers, the C one compiled into `directory`; each that cannot run here is skipped with the reason. */
function foreignPeers(directory: string): { peers: ForeignPeer[]; skipped: string[] } {
  const peers: ForeignPeer[] = [];
  const skipped: string[] = [];
  const cPeer = join(CLIENTS, "c/bench/queue_peer.c");
  const compiler = compilerCommand();
  if (!existsSync(cPeer)) skipped.push(`conflux-c: ${cPeer} is not there (the C client comes with a source checkout)`);
  else if (compiler === undefined) skipped.push("conflux-c: no C compiler (install gcc: apt-get install -y gcc)");
  else {
    const binary = join(directory, "queue_peer");
    const client = join(CLIENTS, "c");
    const build = spawnSync(
      compiler,
      ["-std=c99", "-O2", `-I${client}`, cPeer, join(client, "conflux.c"), "-o", binary],
      { encoding: "utf8" },
    );
    if (build.status === 0) peers.push({ transport: "conflux-c", command: [binary] });
    else skipped.push(`conflux-c: the C peer did not compile: ${build.stderr.trim()}`);
  }
  const pythonPeer = join(CLIENTS, "python/bench/queue_peer.py");
  const env = { PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: join(CLIENTS, "python") };
  const python = ["python3", "/usr/bin/python3"].find(
    (candidate) =>
      spawnSync(candidate, ["-c", "import sys; assert sys.version_info >= (3, 11)"], { stdio: "ignore" }).status === 0,
  );
  if (!existsSync(pythonPeer)) {
    skipped.push(`conflux-python: ${pythonPeer} is not there (the Python client comes with a source checkout)`);
  } else if (python === undefined) {
    skipped.push("conflux-python: no python3 3.11 or later (install python3)");
  } else {
    const probe = spawnSync(python, ["-c", "import conflux"], { encoding: "utf8", env: { ...process.env, ...env } });
    if (probe.status === 0) peers.push({ transport: "conflux-python", command: [python, pythonPeer], env });
    else skipped.push(`conflux-python: the Python client does not load: ${probe.stderr.trim().split("\n").pop()}`);
  }
  return { peers, skipped };
}

/** One configuration of the table, measured once per repetition. */
type Measurement =
  | {
      label: string;
      kind: "latency";
      row: Omit<LatencyRow, "distribution" | "repetitions">;
      measure(): Promise<Float64Array>;
    }
  | {
      label: string;
      kind: "throughput";
      row: Omit<ThroughputRow, "seconds" | "messagesPerSecond" | "repetitions">;
      measure(): Promise<number>;
    };

function measurements(iterations: number, foreign: ForeignPeer[]): Measurement[] {
  const warmup = Math.max(100, Math.floor(iterations / 10));
  const slowIterations = Math.max(100, Math.min(iterations, 10_000));
  const list: Measurement[] = [];
  for (const between of ["process", "thread"] as const) {
    for (const kind of ["spin", "hybrid", "block"] as const) {
      const n = kind === "block" ? slowIterations : iterations;
      list.push({
        label: `conflux ${kind} between ${between === "process" ? "processes" : "threads"}`,
        kind: "latency",
        row: { transport: "conflux", mode: kind, between, load: "idle" },
        measure: () => withChannel(between, kind, (channel) => confluxRoundTrips(channel, n, Math.min(warmup, n))),
      });
    }
  }
  for (const peer of foreign) {
    for (const kind of ["spin", "hybrid", "block"] as const) {
      // The Python peer answers in interpreter time: fewer samples keep its rows short.
      const n = kind === "block" || peer.transport === "conflux-python" ? slowIterations : iterations;
      list.push({
        label: `${peer.transport} ${kind} between processes (TypeScript driver, ${peer.transport.slice(8)} peer)`,
        kind: "latency",
        row: { transport: peer.transport, mode: kind, between: "process", load: "idle" },
        measure: () =>
          withChannel("process", kind, (channel) => confluxRoundTrips(channel, n, Math.min(warmup, n)), peer),
      });
    }
  }
  for (const kind of ["spin", "hybrid"] as const) {
    list.push({
      label: `conflux ${kind} between processes, oversubscribed (a third busy process on two cores)`,
      kind: "latency",
      row: { transport: "conflux", mode: kind, between: "process", load: "oversubscribed" },
      measure: async () => {
        const hog = startHog();
        try {
          return await withChannel("process", kind, (channel) => confluxRoundTrips(channel, slowIterations, 100));
        } finally {
          hog.kill("SIGKILL");
        }
      },
    });
  }
  list.push(
    {
      label: "pipe between processes",
      kind: "latency",
      row: { transport: "pipe", mode: "none", between: "process", load: "idle" },
      measure: () => pipeRoundTrips(slowIterations, 200),
    },
    {
      label: "unix socket between processes",
      kind: "latency",
      row: { transport: "unix-socket", mode: "none", between: "process", load: "idle" },
      measure: () => unixSocketRoundTrips(slowIterations, 200),
    },
    {
      label: "MessagePort between threads",
      kind: "latency",
      row: { transport: "message-port", mode: "none", between: "thread", load: "idle" },
      measure: () => messagePortRoundTrips(slowIterations, 200),
    },
  );
  for (const between of ["process", "thread"] as const) {
    for (const kind of ["spin", "hybrid"] as const) {
      const messages = iterations * 10;
      list.push({
        label: `throughput: conflux ${kind} between ${between === "process" ? "processes" : "threads"}`,
        kind: "throughput",
        row: { transport: "conflux", mode: kind, between, messages },
        measure: () => withChannel(between, kind, (channel) => confluxFlood(channel, messages)),
      });
    }
  }
  return list;
}

/** The repetitions of one row: the distribution of the one whose p50 is the median, and each statistic's spread. */
function latencyRow(row: Omit<LatencyRow, "distribution" | "repetitions">, runs: Distribution[]): LatencyRow {
  const p50s = runs.map((run) => run.p50);
  return {
    ...row,
    distribution: runs[medianIndex(p50s)] as Distribution,
    repetitions: {
      p50: spread(p50s),
      p99: spread(runs.map((run) => run.p99)),
      mean: spread(runs.map((run) => run.mean)),
    },
  };
}

export async function runQueueBenchmark(options: QueueBenchOptions): Promise<QueueBenchmark> {
  const iterations = options.iterations;
  const repeat = options.repeat ?? 5;
  const progress = options.progress ?? (() => {});
  const machine = new MachineLoad();
  const skipped: string[] = [];
  const peerDirectory = mkdtempSync(join(tmpdir(), "conflux-bench-peers-"));
  try {
    const foreign = foreignPeers(peerDirectory);
    skipped.push(...foreign.skipped);
    const list = measurements(iterations, foreign.peers);
    const floorRuns: Distribution[] = [];
    const latencyRuns = list.map((): Distribution[] => []);
    const throughputRuns = list.map((): number[] => []);
    // Round by round, every configuration once: drift on the machine falls on every row alike.
    for (let round = 1; round <= repeat; round++) {
      const of = `(repetition ${round} of ${repeat})`;
      progress(`c-floor (C cache-line ping-pong between two processes) ${of}`);
      const floor = measureCFloor(iterations);
      if (floor.distribution) floorRuns.push(floor.distribution);
      else if (round === 1) skipped.push(`c-floor: ${floor.skipped}`);
      for (const [index, measurement] of list.entries()) {
        progress(`${measurement.label} ${of}`);
        if (measurement.kind === "latency") latencyRuns[index]?.push(summarize(await measurement.measure()));
        else throughputRuns[index]?.push(await measurement.measure());
        machine.sample();
      }
    }
    const latency: LatencyRow[] = [];
    if (floorRuns.length > 0) {
      latency.push(latencyRow({ transport: "c-floor", mode: "none", between: "process", load: "idle" }, floorRuns));
    }
    const throughput: ThroughputRow[] = [];
    for (const [index, measurement] of list.entries()) {
      if (measurement.kind === "latency")
        latency.push(latencyRow(measurement.row, latencyRuns[index] as Distribution[]));
      else {
        const seconds = throughputRuns[index] as number[];
        const rates = seconds.map((value) => measurement.row.messages / value);
        const chosen = medianIndex(rates);
        throughput.push({
          ...measurement.row,
          seconds: seconds[chosen] as number,
          messagesPerSecond: rates[chosen] as number,
          repetitions: spread(rates),
        });
      }
    }
    return { latency, throughput, skipped, repeat, machine: machine.during() };
  } finally {
    rmSync(peerDirectory, { recursive: true, force: true });
  }
}
