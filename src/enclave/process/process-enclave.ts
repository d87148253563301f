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
import { ChildProcessEnclave } from "../child-process-enclave.ts";
import { DEFAULT_STOP_GRACE_MS, type Enclave, type EnclaveOptions, type ExitStatus } from "../enclave.ts";
import type { EnclaveDescription } from "../environment-description.ts";
import { type ComponentLaunch, componentEnvironment, missingForLaunch } from "../launch.ts";
import { drainOutput } from "../output-capture.ts";
import { componentOutputPipes, type RelayedPipe } from "../output-relay.ts";

/** After the process has exited, how long to wait for the rest of its output (a grandchild may hold the pipe). */
const OUTPUT_DRAIN_MS = 1000;

export class ProcessEnclave extends ChildProcessEnclave<ComponentLaunch> implements Enclave {
  readonly kind = "process";
  readonly sharesFutexes = true;
  private readonly environment: Record<string, string>;
  private commandLine: string[] = [];

  constructor(launch: ComponentLaunch, options: EnclaveOptions = {}) {
    super(launch, options);
    this.environment = componentEnvironment(launch);
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
      // The cgroup's join runs between the two, in the same process: the record keeps what the component was given.
      child = this.spawnPinned([...parentDeathPrefix(), ...this.cgroupPrefix(), ...this.target()], stdout, stderr);
    } catch (error) {
      this.closeCgroup(null);
      throw this.exit.failLaunchOn(error, "cannot launch");
    } finally {
      // The child has its copies (or there is no child): the pipes end when it does.
      native.closeFd(stdout.writeFd);
      native.closeFd(stderr.writeFd);
    }
    return this.untilSpawned(child, (error) =>
      this.exit.failLaunch(`component ${this.name}: cannot launch ${this.commandLine[0]}: ${error.message}`),
    );
  }

  async stop(graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    return this.stopChild(graceMs, (child) => child.kill("SIGTERM"));
  }

  isAlive(): boolean {
    return this.childAlive();
  }

  describe(): EnclaveDescription {
    return this.describeChild(this.isAlive(), this.commandLine, this.environment);
  }

  /** What runs the component: node with tsx for a module, else the command itself. */
  private target(): string[] {
    if (this.launch.module !== undefined) {
      return [process.execPath, "--import", tsxLoaderUrl(), this.launch.module];
    }
    return [...(this.launch.command ?? [])];
  }

  private spawnPinned(argv: readonly string[], stdout: RelayedPipe, stderr: RelayedPipe): ChildProcess {
    const [file = "", ...args] = argv;
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

  protected onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    const cause = this.requested ?? (signal === null ? "exit" : "signal");
    this.exit.end({ code, signal, cause });
    void drainOutput([this.stdout, this.stderr], OUTPUT_DRAIN_MS).then(() => this.exit.finish({ code, signal, cause }));
  }
}
