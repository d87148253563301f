// enclave/container/ owns the container backend: root filesystem, settings, probe, and one supervision for both runtimes.
// It must not know the other backends; each runtime's own command line and failures live in bubblewrap/ or oci/.

// The container backend: the component runs in a root filesystem of its own
// (its stack, or the host's system directories read-only), sees only its run's
// directory of /dev/shm and, unless asked, no network. A runtime (bubblewrap or
// crun) builds the container; this class supervises it exactly as the process
// backend supervises a child: liveness is a pidfd on the component itself,
// stop() asks the component (SIGTERM) before forcing it, and everything dies
// with its supervisor.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { native } from "../../native/index.ts";
import { createPinned } from "../../platform/cpu-pinning.ts";
import { parentDeathPrefix } from "../../platform/parent-death-signal.ts";
import { firstChild } from "../../platform/process-children.ts";
import { DEFAULT_STOP_GRACE_MS, type Enclave, type EnclaveOptions, type ExitStatus } from "../enclave.ts";
import { describeHost, type EnclaveDescription, redactEnvironment } from "../environment-description.ts";
import { forgetOnExit, killOnExit } from "../exit-kill.ts";
import { missingForLaunch } from "../launch.ts";
import { drainOutput } from "../output-capture.ts";
import { componentOutputPipes, type RelayedPipe } from "../output-relay.ts";
import { SupervisedEnclave } from "../supervised-enclave.ts";
import { BubblewrapRuntime } from "./bubblewrap/runtime.ts";
import { OciRuntime } from "./oci/runtime.ts";
import { type ContainerRoot, containerRoot } from "./root.ts";
import type { ContainerRuntime, PreparedContainer } from "./runtime.ts";
import { type ContainerLaunch, containerSettings } from "./settings.ts";
import { stackIdentity } from "./stack-identity.ts";

/** After the runtime has exited, how long to wait for the rest of the output. */
const OUTPUT_DRAIN_MS = 1000;

/** How long the component may take to finish exiting after its runtime has ended, before it is killed. */
const COMPONENT_EXIT_MS = 5000;

/** Signal names by number, to read the runtimes' 128 + n exit codes. */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

export class ContainerEnclave extends SupervisedEnclave<ContainerLaunch> implements Enclave {
  readonly kind = "container";
  readonly sharesFutexes = true;
  private readonly settings: ReturnType<typeof containerSettings>;
  private readonly runtime: ContainerRuntime;
  private root: ContainerRoot | undefined;
  private prepared: PreparedContainer | undefined;
  private runtimeProcess: ChildProcess | undefined;
  private componentPid = 0;
  private commandLine: string[] = [];
  private pidfd = -1;
  /** An open handle on the component's mount namespace (see holdMountNamespace), or -1. */
  private mountNamespace = -1;
  private runtimeEnded = false;
  /** start() has learned the component's pid, or that there is none. */
  private pidDiscovered = false;
  private runtimeExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(launch: ContainerLaunch, options: EnclaveOptions = {}) {
    super(launch, options);
    this.settings = containerSettings(launch);
    this.runtime = this.settings.runtime === "crun" ? new OciRuntime() : new BubblewrapRuntime();
  }

  get pid(): number {
    if (this.componentPid > 0) return this.componentPid;
    const pid = this.runtimeProcess?.pid;
    if (pid === undefined) throw new Error(`component ${this.name} (container) has no pid: it has not been started`);
    return pid;
  }

  async start(): Promise<void> {
    // The module is the host's file in every case; a command may be the stack's, checked in containerRoot.
    await this.beginStart(this.launch.module === undefined ? undefined : missingForLaunch(this.launch));
    // The output relay reads the container's output off this thread (see output-relay.ts).
    const { stdout, stderr } = componentOutputPipes(this.name, this.options.output);
    this.stdout = stdout.capture;
    this.stderr = stderr.capture;
    let runtimeProcess: ChildProcess;
    try {
      this.root = containerRoot(this.launch, this.settings);
      this.prepared = this.runtime.prepare(this.launch, this.root, this.settings.network);
      this.commandLine = [...parentDeathPrefix(), ...this.prepared.argv];
      const argv = [...parentDeathPrefix(), ...this.cgroupPrefix(), ...this.prepared.argv];
      runtimeProcess = this.spawnPinned(argv, this.prepared, stdout, stderr);
    } catch (error) {
      this.prepared?.cleanup();
      this.closeCgroup(null);
      throw this.exit.failLaunchOn(error, "cannot launch");
    } finally {
      native.closeFd(stdout.writeFd);
      native.closeFd(stderr.writeFd);
    }
    this.runtimeProcess = runtimeProcess;
    const prepared = this.prepared;
    const spawned = new Promise<void>((resolve, reject) => {
      runtimeProcess.once("spawn", resolve);
      // After the spawn, errors come from kill() on a runtime that is gone: nothing to do, but keep listening.
      runtimeProcess.on("error", (error) =>
        reject(new Error(`component ${this.name}: cannot launch ${this.commandLine[0]}: ${error.message}`)),
      );
    });
    const runtimeExit = new Promise<void>((resolve) => {
      runtimeProcess.once("exit", (code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
    });
    try {
      await spawned;
    } catch (error) {
      prepared.cleanup();
      this.closeCgroup(null);
      throw this.exit.failLaunch((error as Error).message);
    }
    // Killed on our way out from here on, even while the runtime is still building the container.
    killOnExit(this, { handleSignals: this.options.handleSignals ?? true });
    // Resolves with undefined once the runtime has ended without starting a component.
    const pid = await prepared.componentPid(runtimeProcess);
    this.pidDiscovered = true;
    if (this.runtimeEnded) prepared.cleanup();
    if (pid === undefined) {
      await runtimeExit;
      this.closeCgroup(this.runtimeExit?.signal ?? null);
      await drainOutput([this.stdout, this.stderr], OUTPUT_DRAIN_MS);
      if (this.requested !== undefined) return; // stop() or kill() came first: the status says so
      const stderr = this.stderr.text();
      const reason =
        prepared.explain(stderr) ?? (stderr.trim().split("\n").slice(-1)[0] || "it ended before the component started");
      throw this.exit.failLaunch(`component ${this.name}: the ${this.runtime.name} container did not start: ${reason}`);
    }
    this.componentPid = pid;
    if (this.exit.hasExited()) return; // killed while starting, and already settled
    try {
      this.pidfd = native.pidfdOpen(pid);
    } catch {
      this.pidfd = -1; // gone already: isAlive() asks by pid and hears it is dead
    }
    this.holdMountNamespace(pid);
    // A component quick enough to be over before we learned its pid: onExit left the status to us.
    if (this.runtimeEnded && this.requested === undefined) void this.settleAfterExit();
  }

  async stop(graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    const runtimeProcess = this.runtimeProcess;
    if (runtimeProcess === undefined || this.exit.hasExited()) {
      return this.exit.endUnstarted("stop", runtimeProcess !== undefined);
    }
    if (!this.runtimeEnded) {
      this.requested ??= "stop";
      // Runtimes do not pass signals on: ask the component itself, or, before it runs, end the runtime.
      if (this.componentPid > 0) this.signalComponent("SIGTERM");
      else runtimeProcess.kill("SIGKILL");
    }
    return this.exit.forcedAfter(graceMs, () => this.forceEnd());
  }

  protected launched(): boolean {
    return this.runtimeProcess !== undefined;
  }

  protected supervisedEnded(): boolean {
    return this.runtimeEnded;
  }

  isAlive(): boolean {
    if (this.runtimeProcess === undefined) return false;
    // The component's own pidfd, while we hold it, even after its runtime has gone.
    if (this.pidfd >= 0) return native.pidfdAlive(this.pidfd);
    if (this.runtimeEnded) return false;
    return native.isAlive(this.componentPid > 0 ? this.componentPid : (this.runtimeProcess.pid ?? 0));
  }

  describe(): EnclaveDescription {
    const pid = this.pid;
    const cpus = this.cpusOf(pid, this.isAlive());
    const environment = this.root?.environment ?? {};
    const codePid = this.prepared?.watchesInit === true && this.isAlive() ? firstChild(pid) : 0;
    const software = stackIdentity(this.settings.stack, this.settings.rootfs);
    return {
      kind: this.kind,
      name: this.name,
      pid,
      ...(codePid > 0 ? { codePid } : {}),
      ...(this.launch.module === undefined ? {} : { node: process.version }),
      ...describeHost(),
      cpus,
      commandLine: this.describedCommandLine(),
      cwd: this.root?.cwd ?? this.launch.cwd ?? process.cwd(),
      env: redactEnvironment(environment),
      ...(software === undefined ? {} : { software }),
    };
  }

  /** The runtime's command line, then, when it does not carry them (crun reads them from config.json), the component's argv. */
  private describedCommandLine(): string[] {
    const inside = this.root?.argv ?? [];
    const carried = inside.length > 0 && this.commandLine.slice(-inside.length).join("\0") === inside.join("\0");
    return carried ? [...this.commandLine] : [...this.commandLine, "--", ...inside];
  }

  private spawnPinned(
    argv: readonly string[],
    prepared: PreparedContainer,
    stdout: RelayedPipe,
    stderr: RelayedPipe,
  ): ChildProcess {
    const [file = "", ...args] = argv;
    this.cpusAtStart = native.getAffinity(0);
    const extra: "pipe"[] = Array.from({ length: prepared.extraPipes }, () => "pipe");
    return createPinned(this.name, this.launch.cpus, () =>
      spawn(file, args, {
        cwd: "/",
        env: prepared.environment,
        stdio: ["ignore", stdout.writeFd, stderr.writeFd, ...extra],
        detached: false,
      }),
    );
  }

  /** SIGKILL to the component and to its runtime; the runtime's end is the enclave's end. */
  protected forceEnd(): void {
    if (this.runtimeEnded) return;
    this.signalComponent("SIGKILL");
    this.runtimeProcess?.kill("SIGKILL");
    // The runtime is going; what it left on disk need not wait for its exit event (this may be our own exit hook).
    this.prepared?.cleanup();
  }

  private signalComponent(signal: NodeJS.Signals): void {
    if (this.componentPid <= 0) return;
    // The pidfd says whether the pid is still the component's; never signal a pid that may have been reused.
    if (this.pidfd >= 0 && !native.pidfdAlive(this.pidfd)) return;
    try {
      process.kill(this.componentPid, signal);
    } catch {
      // it ended meanwhile
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.runtimeEnded = true;
    this.runtimeExit = { code, signal };
    forgetOnExit(this);
    // crun's pid file is in its bundle: while start() still looks for it, start() cleans up.
    if (this.pidDiscovered || this.requested !== undefined) this.prepared?.cleanup();
    // Before the component's pid is known, start() decides: a failed launch, or a component that was quick.
    if (this.componentPid > 0 || this.requested !== undefined) void this.settleAfterExit();
  }

  /** The status, once the component itself has ended and its output has been read. */
  private async settleAfterExit(): Promise<void> {
    const { code, signal } = this.runtimeExit ?? { code: null, signal: null };
    // Runtimes report a component killed by signal n as exit code 128 + n, as shells do.
    const byRuntime = code !== null && code > 128 ? SIGNAL_NAMES.get(code - 128) : undefined;
    const ended = byRuntime === undefined ? { code, signal } : { code: null, signal: byRuntime };
    const cause = this.requested ?? (ended.signal === null ? "exit" : "signal");
    await this.componentGone();
    this.closeCgroup(ended.signal);
    // The runtime's words about a failure (the error below) need its output; the status does not.
    this.exit.end({ ...ended, cause });
    await drainOutput([this.stdout, this.stderr], OUTPUT_DRAIN_MS);
    const explained =
      ended.code !== 0 && ended.signal === null ? this.prepared?.explain(this.output().stderr) : undefined;
    this.exit.finish({ ...ended, cause, ...(explained === undefined ? {} : { error: explained }) });
  }

  /**
   * A runtime killed with SIGKILL ends before the component it ran has finished
   * exiting; `exited` must not resolve while the component still exists.
   */
  private async componentGone(): Promise<void> {
    const deadline = Date.now() + COMPONENT_EXIT_MS;
    while (this.pidfd >= 0 && native.pidfdAlive(this.pidfd)) {
      if (Date.now() > deadline) {
        this.signalComponent("SIGKILL");
        break;
      }
      await sleep(1);
    }
    if (this.pidfd >= 0) native.closeFd(this.pidfd);
    this.pidfd = -1;
    this.releaseMountNamespace();
  }

  /**
   * The last process of a mount namespace unmounts all of it on its way out,
   * before its parent or a pidfd can see it gone (tens of ms on a busy machine,
   * as the kernel waits for RCU). Holding the namespace open moves that work
   * after the component's exit, off the path that tells a driver it has died.
   */
  private holdMountNamespace(pid: number): void {
    try {
      this.mountNamespace = openSync(`/proc/${pid}/ns/mnt`, "r");
    } catch {
      this.mountNamespace = -1; // ended already, or /proc is not ours to read: the exit is merely slower
    }
  }

  private releaseMountNamespace(): void {
    if (this.mountNamespace < 0) return;
    const fd = this.mountNamespace;
    this.mountNamespace = -1;
    closeSync(fd);
  }
}
