// enclave/process/ owns the process backend: a component in a child process of its own, watched through a pidfd.
// It must not know the other backends; what every backend shares lives in the enclave's top files.

// The process backend: the component runs in a child process of its own, a
// module under `node --import tsx`, or any executable. Liveness is a pidfd, so
// the queue layer can poll it between spins; the child dies with its supervisor.
import { type ChildProcess, spawn } from "node:child_process";
import { native } from "../../native/index.ts";
import { createPinned } from "../../platform/cpu-pinning.ts";
import { parentDeathPrefix } from "../../platform/parent-death-signal.ts";
import { tsxLoaderUrl } from "../../platform/typescript-loader.ts";
import { DEFAULT_STOP_GRACE_MS, type Enclave, type EnclaveOptions, type ExitStatus } from "../enclave.ts";
import { describeHost, type EnclaveDescription, redactEnvironment } from "../environment-description.ts";
import { forgetOnExit, killOnExit } from "../exit-kill.ts";
import { type ComponentLaunch, componentEnvironment, missingForLaunch } from "../launch.ts";
import { drainOutput } from "../output-capture.ts";
import { componentOutputPipes, type RelayedPipe } from "../output-relay.ts";
import { SupervisedEnclave } from "../supervised-enclave.ts";

/** After the process has exited, how long to wait for the rest of its output (a grandchild may hold the pipe). */
const OUTPUT_DRAIN_MS = 1000;

export class ProcessEnclave extends SupervisedEnclave<ComponentLaunch> implements Enclave {
  readonly kind = "process";
  readonly sharesFutexes = true;
  private readonly environment: Record<string, string>;
  private child: ChildProcess | undefined;
  private commandLine: string[] = [];
  /** The pidfd opened at spawn; -1 before, after exit, or where the kernel has none. */
  private pidfd = -1;
  private processEnded = false;

  constructor(launch: ComponentLaunch, options: EnclaveOptions = {}) {
    super(launch, options);
    this.environment = componentEnvironment(launch);
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`component ${this.name} (process) has no pid: it has not been started`);
    return pid;
  }

  async start(): Promise<void> {
    await this.beginStart(missingForLaunch(this.launch));
    // Its output goes through pipes the output relay reads off this thread, so
    // it never blocks however long the driver's loop keeps this thread busy.
    const { stdout, stderr } = componentOutputPipes(this.name, this.options.output);
    this.stdout = stdout.capture;
    this.stderr = stderr.capture;
    let child: ChildProcess;
    try {
      this.commandLine = [...parentDeathPrefix(), ...this.target()];
      child = this.spawnPinned(stdout, stderr);
    } catch (error) {
      throw this.exit.failLaunchOn(error, "cannot launch");
    } finally {
      // The child has its copies (or there is no child): the pipes end when it does.
      native.closeFd(stdout.writeFd);
      native.closeFd(stderr.writeFd);
    }
    this.child = child;
    return new Promise((resolve, reject) => {
      let spawned = false;
      child.once("spawn", () => {
        spawned = true;
        // The child cannot have been reaped yet: Node reaps on a later turn of the loop.
        this.pidfd = native.pidfdOpen(child.pid ?? 0);
        killOnExit(this, { handleSignals: this.options.handleSignals ?? true });
        resolve();
      });
      child.on("error", (error) => {
        // After the spawn, errors come from kill() on a process that is gone: nothing to do.
        if (spawned) return;
        reject(this.exit.failLaunch(`component ${this.name}: cannot launch ${this.commandLine[0]}: ${error.message}`));
      });
      child.once("exit", (code, signal) => this.onExit(code, signal));
    });
  }

  async stop(graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    const child = this.child;
    if (child === undefined || this.exit.hasExited()) return this.exit.endUnstarted("stop", child !== undefined);
    if (!this.processEnded) {
      this.requested ??= "stop";
      child.kill("SIGTERM");
    }
    return this.exit.forcedAfter(graceMs, () => {
      if (!this.processEnded) child.kill("SIGKILL");
    });
  }

  protected launched(): boolean {
    return this.child !== undefined;
  }

  protected supervisedEnded(): boolean {
    return this.processEnded;
  }

  protected forceEnd(): void {
    this.child?.kill("SIGKILL");
  }

  isAlive(): boolean {
    if (this.processEnded || this.child === undefined) return false;
    return this.pidfd >= 0 ? native.pidfdAlive(this.pidfd) : native.isAlive(this.child.pid ?? 0);
  }

  describe(): EnclaveDescription {
    const pid = this.pid;
    const cpus = this.cpusOf(pid, this.isAlive());
    return {
      kind: this.kind,
      name: this.name,
      pid,
      ...(this.launch.module === undefined ? {} : { node: process.version }),
      ...describeHost(),
      cpus,
      commandLine: [...this.commandLine],
      cwd: this.launch.cwd ?? process.cwd(),
      env: redactEnvironment(this.environment),
    };
  }

  /** What runs the component: node with tsx for a module, else the command itself. */
  private target(): string[] {
    if (this.launch.module !== undefined) {
      return [process.execPath, "--import", tsxLoaderUrl(), this.launch.module];
    }
    return [...(this.launch.command ?? [])];
  }

  private spawnPinned(stdout: RelayedPipe, stderr: RelayedPipe): ChildProcess {
    const [file = "", ...args] = this.commandLine;
    this.cpusAtStart = native.getAffinity(0);
    return createPinned(this.name, this.launch.cpus, () =>
      spawn(file, args, {
        cwd: this.launch.cwd ?? process.cwd(),
        env: this.environment,
        stdio: ["ignore", stdout.writeFd, stderr.writeFd],
        detached: false,
      }),
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.processEnded = true;
    forgetOnExit(this);
    if (this.pidfd >= 0) native.closeFd(this.pidfd);
    this.pidfd = -1;
    const cause = this.requested ?? (signal === null ? "exit" : "signal");
    this.exit.end({ code, signal, cause });
    void drainOutput([this.stdout, this.stderr], OUTPUT_DRAIN_MS).then(() => this.exit.finish({ code, signal, cause }));
  }
}
