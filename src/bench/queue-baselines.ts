// The transports the conflux queue is compared with, each measured the way a
// Node program would use it: a pipe to a child process, a Unix-domain socket to
// a child process, and a MessagePort to a worker thread. Each echoes one small
// message; every round trip is timed with one clock read.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { Worker } from "node:worker_threads";
import { native } from "../native/index.ts";

const PIPE_ECHO = "process.stdin.on('data', (d) => process.stdout.write(d));";
const SOCKET_ECHO =
  "const net = require('node:net'); const server = net.createServer((s) => s.on('data', (d) => s.write(d))); server.listen(process.argv[1], () => console.log('listening'));";
const PORT_ECHO =
  "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));";

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Times `iterations` calls of an asynchronous round trip, one clock read per sample. */
async function timedRoundTrips(
  roundTrip: () => Promise<void>,
  iterations: number,
  warmup: number,
): Promise<Float64Array> {
  for (let index = 0; index < warmup; index++) await roundTrip();
  const samples = new Float64Array(iterations);
  let previous = native.monotonicNs();
  for (let index = 0; index < iterations; index++) {
    await roundTrip();
    const now = native.monotonicNs();
    samples[index] = now - previous;
    previous = now;
  }
  return samples;
}

/** Round trips of a 1-byte message over a stream whose far end echoes it. */
function streamRoundTrips(
  outgoing: Writable,
  incoming: Readable,
  iterations: number,
  warmup: number,
): Promise<Float64Array> {
  const byte = Buffer.from([42]);
  let answered: () => void = () => {};
  incoming.on("data", () => answered());
  const roundTrip = () =>
    new Promise<void>((resolve) => {
      answered = resolve;
      outgoing.write(byte);
    });
  return timedRoundTrips(roundTrip, iterations, warmup);
}

export async function pipeRoundTrips(iterations: number, warmup: number): Promise<Float64Array> {
  const child = spawn(process.execPath, ["-e", PIPE_ECHO], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const stdin = child.stdin as NonNullable<ChildProcess["stdin"]>;
    const stdout = child.stdout as NonNullable<ChildProcess["stdout"]>;
    return await streamRoundTrips(stdin, stdout, iterations, warmup);
  } finally {
    child.stdin?.end();
    child.kill("SIGKILL");
    await exited(child);
  }
}

export async function unixSocketRoundTrips(iterations: number, warmup: number): Promise<Float64Array> {
  const directory = mkdtempSync(join(tmpdir(), "conflux-bench-"));
  const path = join(directory, "echo.sock");
  const child = spawn(process.execPath, ["-e", SOCKET_ECHO, path], { stdio: ["ignore", "pipe", "inherit"] });
  let socket: Socket | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`the socket echo server exited with ${code}`)));
    });
    const connected = connect(path);
    socket = connected;
    await new Promise<void>((resolve) => connected.once("connect", () => resolve()));
    return await streamRoundTrips(connected, connected, iterations, warmup);
  } finally {
    socket?.destroy();
    child.kill("SIGKILL");
    await exited(child);
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function messagePortRoundTrips(iterations: number, warmup: number): Promise<Float64Array> {
  const worker = new Worker(PORT_ECHO, { eval: true });
  try {
    let answered: () => void = () => {};
    worker.on("message", () => answered());
    const roundTrip = () =>
      new Promise<void>((resolve) => {
        answered = resolve;
        worker.postMessage(42);
      });
    return await timedRoundTrips(roundTrip, iterations, warmup);
  } finally {
    await worker.terminate();
  }
}
