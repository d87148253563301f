// What the backends whose component runs under one child process of ours
// share (the process backend's component itself, the VM backend's QEMU): the
// child and its pidfd from the spawn on, its kill if this process ends, its
// end as the supervisor sees it, and a stop forced with SIGKILL after the
// grace period. How the child is spawned, asked to stop, and what its end
// means stay with each backend.
import type { ChildProcess } from "node:child_process";
import { native } from "../native/index.ts";
import type { ExitStatus } from "./enclave.ts";
import { describeHost, type EnclaveDescription, redactEnvironment } from "./environment-description.ts";
import { forgetOnExit, killOnExit } from "./exit-kill.ts";
import type { EnclaveKind } from "./kind.ts";
import type { ComponentLaunch } from "./launch.ts";
import { SupervisedEnclave } from "./supervised-enclave.ts";

export abstract class ChildProcessEnclave<Launch extends ComponentLaunch> extends SupervisedEnclave<Launch> {
  /** The child, from its spawn on. */
  protected child: ChildProcess | undefined;
  /** Whether the child has exited, as far as the supervisor has seen. */
  protected childEnded = false;
  /** The pidfd opened at spawn; -1 before, after exit, or where the kernel has none. */
  private pidfd = -1;
  abstract readonly kind: EnclaveKind;

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`component ${this.name} (${this.kind}) has no pid: it has not been started`);
    return pid;
  }

  /**
   * Watches `child`: resolves once it has spawned (then `onSpawn` runs, its
   * pidfd is opened and it is killed if this process ends), or rejects with
   * what `launchFailed` makes of the error that kept it from spawning. Its
   * exit reaches onChildExit.
   */
  protected untilSpawned(
    child: ChildProcess,
    launchFailed: (error: Error) => Error,
    onSpawn?: () => void,
  ): Promise<void> {
    this.child = child;
    return new Promise((resolve, reject) => {
      let spawned = false;
      child.once("spawn", () => {
        spawned = true;
        onSpawn?.();
        // The child cannot have been reaped yet: Node reaps on a later turn of the loop.
        this.pidfd = native.pidfdOpen(child.pid ?? 0);
        killOnExit(this, { handleSignals: this.options.handleSignals ?? true });
        resolve();
      });
      child.on("error", (error) => {
        // After the spawn, errors come from kill() on a process that is gone: nothing to do.
        if (spawned) return;
        this.closeCgroup(null);
        reject(launchFailed(error));
      });
      child.once("exit", (code, signal) => {
        this.childEnded = true;
        this.closeCgroup(signal);
        forgetOnExit(this);
        if (this.pidfd >= 0) native.closeFd(this.pidfd);
        this.pidfd = -1;
        this.onChildExit(code, signal);
      });
    });
  }

  /** The child has exited (its pidfd is closed already): the backend settles the component's end. */
  protected abstract onChildExit(code: number | null, signal: NodeJS.Signals | null): void;

  /**
   * stop(): before a launch or after the end, what the bookkeeping says;
   * otherwise `ask` asks the child to end (unless it has already), and SIGKILL
   * forces it after `graceMs`.
   */
  protected stopChild(graceMs: number, ask: (child: ChildProcess) => void): Promise<ExitStatus> {
    const child = this.child;
    if (child === undefined || this.exit.hasExited()) return this.exit.endUnstarted("stop", child !== undefined);
    if (!this.childEnded) {
      this.requested ??= "stop";
      ask(child);
    }
    return this.exit.forcedAfter(graceMs, () => {
      if (!this.childEnded) child.kill("SIGKILL");
    });
  }

  /** Whether the child runs: by its pidfd, or by pid where there is none. */
  protected childAlive(): boolean {
    if (this.childEnded || this.child === undefined) return false;
    return this.pidfd >= 0 ? native.pidfdAlive(this.pidfd) : native.isAlive(this.child.pid ?? 0);
  }

  /** What describe() says of a component under a child: `commandLine` and `environment` are what the component itself was given. */
  protected describeChild(
    alive: boolean,
    commandLine: readonly string[],
    environment: Record<string, string>,
  ): EnclaveDescription {
    const pid = this.pid;
    const cpus = this.cpusOf(pid, alive);
    return {
      kind: this.kind,
      name: this.name,
      pid,
      ...(this.launch.module === undefined ? {} : { node: process.version }),
      ...describeHost(),
      cpus,
      commandLine: [...commandLine],
      cwd: this.launch.cwd ?? process.cwd(),
      env: redactEnvironment(environment),
    };
  }

  protected launched(): boolean {
    return this.child !== undefined;
  }

  protected supervisedEnded(): boolean {
    return this.childEnded;
  }

  protected forceEnd(): void {
    this.child?.kill("SIGKILL");
  }
}
