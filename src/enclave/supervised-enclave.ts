// What every backend's supervision shares, whatever runs the component: the
// launch checked once, the exit bookkeeping, the captured output, and the
// opening of start() (refused twice, what the launch needs, the output relay
// up). Each backend extends it with how it launches, signals and describes its
// component; none of that is here.
import { native } from "../native/index.ts";
import type { EnclaveOptions, ExitStatus } from "./enclave.ts";
import { ExitBookkeeping } from "./exit-bookkeeping.ts";
import { type ComponentLaunch, validateLaunch } from "./launch.ts";
import type { OutputCapture } from "./output-capture.ts";
import { outputRelayReady } from "./output-relay.ts";
import { cgroupHost, describeCgroupHost } from "./resources/cgroup-host.ts";
import { EnclaveCgroup } from "./resources/enclave-cgroup.ts";
import { hasLimits, type ResourceUsage } from "./resources/resource-limits.ts";

export abstract class SupervisedEnclave<Launch extends ComponentLaunch> {
  readonly exited: Promise<ExitStatus>;
  readonly ended: Promise<ExitStatus>;
  protected readonly options: EnclaveOptions;
  protected readonly exit: ExitBookkeeping;
  /** Which of stop() and kill() the supervisor asked for, so the exit names its cause. */
  protected requested: "stop" | "kill" | undefined;
  protected stdout: OutputCapture | undefined;
  protected stderr: OutputCapture | undefined;
  /** The driver's CPUs when the component was launched: what it inherits when the launch names none. */
  protected cpusAtStart: number[] = [];
  /** The enclave's cgroup from just before the spawn to the end; none for a thread or on a host without cgroups. */
  private cgroup: EnclaveCgroup | undefined;
  /** What the cgroup said at the end. */
  private finalUsage: ResourceUsage | undefined;

  constructor(
    readonly launch: Launch,
    options: EnclaveOptions,
  ) {
    validateLaunch(launch);
    this.options = options;
    this.exit = new ExitBookkeeping(launch.name);
    this.exited = this.exit.exited;
    this.ended = this.exit.ended;
  }

  get name(): string {
    return this.launch.name;
  }

  hasExited(): boolean {
    return this.exit.hasExited();
  }

  /**
   * Ends the component at once. Before a launch it ends as never started;
   * after the end nothing happens; otherwise the backend forces it down.
   */
  kill(): void {
    if (!this.launched()) {
      void this.exit.endUnstarted("kill", false);
      return;
    }
    if (this.supervisedEnded()) return;
    this.requested = "kill";
    this.forceEnd();
  }

  /** Whether start() got as far as creating what runs the component (a process, a worker). */
  protected abstract launched(): boolean;
  /** Whether what runs the component has ended, as far as the supervisor has seen. */
  protected abstract supervisedEnded(): boolean;
  /** Ends what runs the component without a grace period. */
  protected abstract forceEnd(): void;

  /** The CPUs `pid` may run on now, or while it is gone, the set it was launched with. */
  protected cpusOf(pid: number, alive: boolean): number[] {
    const requested = this.launch.cpus ?? this.cpusAtStart;
    if (!alive) return requested;
    try {
      return native.getAffinity(pid);
    } catch {
      // it ended while we asked; the requested set stands
      return requested;
    }
  }

  /**
   * The argv prefix that puts the child into a cgroup of its own (made here, with the launch's limits), to come
   * after the parent-death prefix. Empty on a host without usable cgroups, unless the launch asks for limits:
   * that is refused by name, as nothing else could keep them.
   */
  protected cgroupPrefix(): string[] {
    const host = cgroupHost();
    const limits = this.launch.resources ?? {};
    if (host.version === 0) {
      if (hasLimits(limits)) {
        throw new Error(
          `component ${this.name}: its enclave asks for memory_mib or cpu_weight, but this host has ${describeCgroupHost(host)}; run as root on a host with cgroups, or leave the limits out (conflux doctor says what the host has)`,
        );
      }
      return [];
    }
    this.cgroup = EnclaveCgroup.create(host, this.name, limits);
    return this.cgroup.joinPrefix();
  }

  /** This process is ending and has killed the component: its cgroup goes now, as no exit event will come. */
  releaseAfterKill(): void {
    const cgroup = this.cgroup;
    this.cgroup = undefined;
    try {
      cgroup?.remove();
    } catch {
      // Still busy after the wait: conflux clean takes it once this process is gone.
    }
  }

  resourceUsage(): ResourceUsage | undefined {
    return this.finalUsage ?? this.cgroup?.usage();
  }

  /** At the end of what runs the component: what its cgroup says it used (a memory limit hit goes into its status), then the cgroup goes. */
  protected closeCgroup(signal: NodeJS.Signals | null): void {
    const cgroup = this.cgroup;
    if (cgroup === undefined) return;
    this.cgroup = undefined;
    const usage = cgroup.usage();
    this.finalUsage = usage;
    const limitMib = usage.memoryLimitMib;
    // The OOM killer's SIGKILL may reach a process below the child (crun's, bubblewrap's), whose end the child reports.
    if (limitMib !== undefined && usage.oomKills > 0 && (signal === "SIGKILL" || signal === null)) {
      this.exit.annotate({ memoryLimit: { limitMib, peakBytes: usage.peakMemoryBytes } });
    }
    try {
      cgroup.remove();
    } catch (error) {
      process.stderr.write(`conflux: component ${this.name}: ${(error as Error).message}\n`);
    }
  }

  output(): { stdout: string; stderr: string } {
    return { stdout: this.stdout?.text() ?? "", stderr: this.stderr?.text() ?? "" };
  }

  /**
   * The opening of every start(): a second start, or a launch this machine
   * cannot make (`missing`), is refused as the component's launch failure;
   * then the output relay comes up, and a stop() or kill() meanwhile means the
   * component is never launched.
   */
  protected async beginStart(missing: string | undefined): Promise<void> {
    const refused = this.exit.refuseStart();
    if (refused !== undefined) throw refused;
    if (missing !== undefined) throw this.exit.failLaunch(missing);
    await outputRelayReady();
    if (this.exit.hasExited()) throw new Error(`component ${this.name}: stopped before it was launched`);
  }
}
