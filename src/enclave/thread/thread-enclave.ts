// The thread backend: the component runs in a worker thread of this process,
// with its own environment and its own stdout and stderr. It shares the
// process's memory, pid, working directory and signals, so it is the cheapest
// enclave and the least isolated one.

import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { native } from "../../native/index.ts";
import { createPinned } from "../../platform/cpu-pinning.ts";
import { tsxRegisterUrl } from "../../platform/typescript-loader.ts";
import { DEFAULT_STOP_GRACE_MS, type Enclave, type EnclaveOptions, type ExitStatus } from "../enclave.ts";
import { describeHost, type EnclaveDescription, redactEnvironment } from "../environment-description.ts";
import { messageOf } from "../exit-bookkeeping.ts";
import { type ComponentLaunch, componentEnvironment, missingForLaunch } from "../launch.ts";
import { drainOutput } from "../output-capture.ts";
import { componentOutputPipes } from "../output-relay.ts";
import { hasLimits } from "../resources/resource-limits.ts";
import { SupervisedEnclave } from "../supervised-enclave.ts";
import type { ThreadBootstrapData } from "./bootstrap.ts";

/** After the worker has exited, how long to wait for the rest of its output. */
const OUTPUT_DRAIN_MS = 1000;

/**
 * The worker's entry point. It must be plain JavaScript: a worker starts
 * without tsx's hooks, so it registers them before importing the TypeScript
 * bootstrap. Only import(), which evaluated code may call whether it is taken
 * for CommonJS or, under a parent's --input-type=module, for a module.
 */
const PRELUDE = `
import("node:worker_threads")
  .then(({ workerData }) => import(workerData.tsxApi).then((tsx) => [tsx, workerData]))
  .then(([tsx, workerData]) => {
    tsx.register();
    return import(workerData.bootstrap);
  });
`;

export class ThreadEnclave extends SupervisedEnclave<ComponentLaunch> implements Enclave {
  readonly kind = "thread";
  readonly sharesFutexes = true;
  private readonly environment: Record<string, string>;
  /** 1 while the component runs; the worker clears it on its way out, the supervisor when it terminates the worker. */
  private readonly liveness = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;
  private workerThreadId: number | undefined;
  private workerEnded = false;
  private uncaughtError: string | undefined;
  /** The write ends of the output pipes, held until the worker has exited; -1 when closed. */
  private stdoutFd = -1;
  private stderrFd = -1;

  constructor(launch: ComponentLaunch, options: EnclaveOptions = {}) {
    super(launch, options);
    if (launch.command !== undefined) {
      throw new Error(
        `component ${launch.name}: enclave kind thread runs a module in a worker thread and cannot run the command ${launch.command[0]}; use kind process for an executable`,
      );
    }
    if (launch.cwd !== undefined && launch.cwd !== process.cwd()) {
      throw new Error(
        `component ${launch.name}: a thread shares its process's working directory and cannot run in ${launch.cwd}; use kind process, or leave cwd out`,
      );
    }
    this.environment = componentEnvironment(launch);
  }

  get pid(): number {
    if (this.worker === undefined) {
      throw new Error(`component ${this.name} (thread) has no pid: it has not been started`);
    }
    return process.pid;
  }

  get threadId(): number | undefined {
    return this.workerThreadId;
  }

  async start(): Promise<void> {
    // A thread shares the driver's process: no cgroup could hold it apart.
    const limited = hasLimits(this.launch.resources)
      ? `component ${this.name}: a thread enclave cannot have memory_mib or cpu_weight (it shares the driver's process); use kind: process`
      : undefined;
    await this.beginStart(limited ?? missingForLaunch(this.launch));
    const module = this.launch.module ?? "";
    // The component writes into pipes the output relay reads (see output-relay.ts and bootstrap.ts).
    const { stdout, stderr } = componentOutputPipes(this.name, this.options.output);
    this.stdout = stdout.capture;
    this.stderr = stderr.capture;
    this.stdoutFd = stdout.writeFd;
    this.stderrFd = stderr.writeFd;
    const data: ThreadBootstrapData = {
      tsxApi: tsxRegisterUrl(),
      bootstrap: new URL("./bootstrap.ts", import.meta.url).href,
      module,
      liveness: this.liveness.buffer as SharedArrayBuffer,
      stdoutFd: stdout.writeFd,
      stderrFd: stderr.writeFd,
      ...(this.launch.cpus === undefined ? {} : { cpus: this.launch.cpus }),
    };
    this.cpusAtStart = native.getAffinity(0);
    Atomics.store(this.liveness, 0, 1);
    let worker: Worker;
    try {
      worker = createPinned(
        this.name,
        this.launch.cpus,
        () =>
          new Worker(PRELUDE, {
            eval: true,
            name: this.name,
            workerData: data,
            env: this.environment,
            stdout: true,
            stderr: true,
          }),
      );
    } catch (error) {
      Atomics.store(this.liveness, 0, 0);
      this.closeOutput();
      throw this.exit.failLaunchOn(error, "cannot start a worker");
    }
    this.worker = worker;
    this.workerThreadId = worker.threadId;
    // What reaches the worker's own streams before bootstrap.ts redirects them goes the same way.
    worker.stdout.on("data", (chunk: Buffer) => this.writeOutput(this.stdoutFd, chunk));
    worker.stderr.on("data", (chunk: Buffer) => this.writeOutput(this.stderrFd, chunk));
    worker.on("error", (error) => {
      // An uncaught error never reaches the worker's stderr; put it there, as a process would.
      this.uncaughtError = messageOf(error);
      const text = `Uncaught ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
      this.writeOutput(this.stderrFd, Buffer.from(text));
    });
    worker.once("exit", (code) => this.onExit(code));
    return new Promise((resolve, reject) => {
      worker.once("online", resolve);
      worker.once("exit", () =>
        reject(
          new Error(`component ${this.name}: the worker ended before it ran: ${this.uncaughtError ?? "no error"}`),
        ),
      );
    });
  }

  /**
   * A thread cannot be asked politely: terminate() stops its JavaScript at once,
   * even in a busy loop. It cannot interrupt a blocking system call, so a thread
   * stuck in one past `graceMs` makes stop() reject.
   */
  async stop(graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    if (this.worker === undefined || this.exit.hasExited()) {
      return this.exit.endUnstarted("stop", this.worker !== undefined);
    }
    this.requested ??= "stop";
    this.forceEnd();
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `component ${this.name} (thread ${this.workerThreadId}) did not end within ${graceMs} ms of terminate(): a thread blocked in a system call cannot be interrupted; run components that block without a timeout as kind process`,
            ),
          ),
        graceMs,
      );
    });
    try {
      return await Promise.race([this.exited, stuck]);
    } finally {
      clearTimeout(timer);
    }
  }

  protected launched(): boolean {
    return this.worker !== undefined;
  }

  protected supervisedEnded(): boolean {
    return this.workerEnded;
  }

  isAlive(): boolean {
    return !this.workerEnded && Atomics.load(this.liveness, 0) === 1;
  }

  describe(): EnclaveDescription {
    return {
      kind: this.kind,
      name: this.name,
      pid: this.pid,
      ...(this.workerThreadId === undefined ? {} : { threadId: this.workerThreadId }),
      node: process.version,
      ...describeHost(),
      cpus: this.launch.cpus ?? this.cpusAtStart,
      commandLine: [this.launch.module ?? ""],
      cwd: process.cwd(),
      env: redactEnvironment(this.environment),
    };
  }

  protected forceEnd(): void {
    // Its JavaScript stops at the next instruction: as far as anyone polling is concerned, it is gone.
    Atomics.store(this.liveness, 0, 0);
    void this.worker?.terminate().catch(() => {});
  }

  private writeOutput(fd: number, bytes: Buffer): void {
    if (fd < 0) return;
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch {
      // the relay has gone (this process is ending): nothing to keep it for
    }
  }

  /** The worker is gone: closing the write ends ends the streams, once the relay has read the rest. */
  private closeOutput(): void {
    for (const fd of [this.stdoutFd, this.stderrFd]) if (fd >= 0) native.closeFd(fd);
    this.stdoutFd = -1;
    this.stderrFd = -1;
  }

  private onExit(code: number): void {
    this.workerEnded = true;
    Atomics.store(this.liveness, 0, 0);
    this.closeOutput();
    const status: ExitStatus = { code, signal: null, cause: this.requested ?? "exit" };
    if (this.uncaughtError !== undefined) status.error = this.uncaughtError;
    this.exit.end(status);
    void drainOutput([this.stdout, this.stderr], OUTPUT_DRAIN_MS).then(() => this.exit.finish(status));
  }
}
