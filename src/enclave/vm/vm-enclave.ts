// The VM backend: the component runs in a QEMU guest with a kernel of its own
// (KVM when it runs guests, TCG otherwise). The run's files that exist at boot
// reach the guest as ivshmem devices, and so does an arena for the segments
// made after it; the guest agent lays the run directory out at the host's path
// so clients find everything by name through the registry, as anywhere else.
// Liveness is QEMU's pidfd and a word in the arena the agent sets when the
// component ends, so isAlive() needs neither a system call into the guest nor
// an event loop turn. QEMU dies with its supervisor.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { native } from "../../native/index.ts";
import { createPinned } from "../../platform/cpu-pinning.ts";
import { findExecutable } from "../../platform/executable.ts";
import { parentDeathPrefix } from "../../platform/parent-death-signal.ts";
import { Run } from "../../shm/run.ts";
import { readRunOwner, shmRoot } from "../../shm/run-directory.ts";
import { AgentState } from "../../wire/arena.ts";
import { ARENA_VARIABLE, WAIT_VARIABLE } from "../../wire/environment.ts";
import { SegmentKind } from "../../wire/segment-header.ts";
import { ChildProcessEnclave } from "../child-process-enclave.ts";
import {
  DEFAULT_STOP_GRACE_MS,
  type Enclave,
  type EnclaveOptions,
  type ExitStatus,
  type StepProgress,
} from "../enclave.ts";
import type { EnclaveDescription } from "../environment-description.ts";
import { componentEnvironment, missingForLaunch } from "../launch.ts";
import { drainOutput } from "../output-capture.ts";
import { relayOutput } from "../output-relay.ts";
import { type AgentReport, Arena, arenaFileName } from "./guest/arena.ts";
import { FrameType, NOISE_EVENT } from "./guest/console-frames.ts";
import { encodeLaunch, type GuestLaunch } from "./guest/launch-records.ts";
import { componentImage } from "./image/component-image.ts";
import { type GuestImage, imageCacheDirectory } from "./image/guest-image.ts";
import { findGuestKernel } from "./image/guest-kernel.ts";
import { type AcceleratorChoice, chooseAccelerator } from "./qemu/accelerator.ts";
import { ARENA_SLOT, MAX_SHARED_FILES, pciAddress, qemuArguments, type SharedFile } from "./qemu/arguments.ts";
import { type VmLaunch, vmSettings } from "./settings.ts";

const QEMU = "qemu-system-x86_64";
const OUTPUT_DRAIN_MS = 1000;
/** How much of the kernel console to keep for error messages. */
const CONSOLE_TAIL = 8192;
const WATCH_INTERVAL_MS = 250;
/** Where QEMU finds the descriptors it inherits: stdin, stdout, stderr, then these. */
const CONSOLE_FD = 3;
const ARENA_FD = 4;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** What describe() adds for a VM: the guest, as the run record needs it. */
export interface VmDescription extends EnclaveDescription {
  vm: {
    accel: "kvm" | "tcg";
    /** Why this accelerator (KVM probed and working, or what failed). */
    accelReason: string;
    /** The guest kernel's release, as the guest reports it. */
    guestKernel: string;
    kernelImage: string;
    image: { sha256: string; initramfs: string; bytes: number };
    memoryMiB: number;
    vcpus: number;
    /** From QEMU's start to the component's start in the guest, ms (kernel boot, agent, image). */
    bootMs: number | null;
    /** Guest uptime when the component started, ms. */
    guestUptimeAtStartMs: number | null;
    arena: string;
    sharedFiles: string[];
    qemu: string[];
  };
}

function nextPowerOfTwo(bytes: number): number {
  let size = 4096;
  while (size < bytes) size *= 2;
  return size;
}

export class VmEnclave extends ChildProcessEnclave<VmLaunch> implements Enclave {
  readonly kind = "vm";
  readonly sharesFutexes = false;
  /** A guest's end is known with its agent's last frames, which come with its output. */
  private readonly settings: ReturnType<typeof vmSettings>;
  private qemuArgv: string[] = [];
  private guestArgv: string[] = [];
  private guestEnvironment: Record<string, string> = {};
  private arena: Arena | undefined;
  /** The kernel console's log, unlinked; QEMU writes it through its copy of this descriptor. */
  private consoleFd = -1;
  /** The arena of a launch outside any run, unlinked, until QEMU has its copy. */
  private arenaFd = -1;
  private sharedFiles: string[] = [];
  private image: GuestImage | undefined;
  private accel: AcceleratorChoice | undefined;
  private vcpus = 1;
  private memoryMiB = 0;
  private consoleTail = "";
  private exitReport: string | undefined;
  private failure: string | undefined;
  private spawnedNs = 0;
  private runningNs = 0;
  private watch: NodeJS.Timeout | undefined;
  private registeredIn: string | undefined;
  private finalReport: AgentReport | undefined;
  private lastBeat = -1;
  private lastBeatNs = 0;
  private onRunning: () => void = () => {};
  private onFailedStart: (error: Error) => void = () => {};

  constructor(launch: VmLaunch, options: EnclaveOptions = {}) {
    super(launch, options);
    this.settings = vmSettings(launch);
  }

  async start(): Promise<void> {
    await this.beginStart(missingForLaunch(this.launch));
    // The component's stdout and stderr arrive framed on QEMU's stdout (the
    // agent's serial port), which the output relay reads off this thread and
    // splits (see output-relay.ts); the agent's own frames come back here as events.
    const prefix = `[${this.name}] `;
    const sink = this.options.output === undefined ? process.stderr : this.options.output;
    const [consoleRead, consoleWrite] = native.pipe();
    [this.stdout, this.stderr] = relayOutput(
      consoleRead,
      [
        { prefix, sink },
        { prefix, sink },
      ],
      {
        demultiplexer: new URL("./guest/console-frames.ts", import.meta.url).href,
        onEvent: (type, payload) => this.onFrame(type, Buffer.from(payload)),
      },
    );
    let child: ChildProcess;
    try {
      child = this.spawnGuest(consoleWrite);
    } catch (error) {
      this.discardArena();
      this.closeCgroup(null);
      throw this.exit.failLaunchOn(error, "cannot launch");
    } finally {
      native.closeFd(consoleWrite);
    }
    child.stderr?.setEncoding("utf8").on("data", (text: string) => this.keepConsole(text));
    // stop() writes to a guest that may be gone: a broken pipe then means nothing.
    child.stdin?.on("error", () => {});
    await this.untilSpawned(
      child,
      (error) => {
        this.discardArena();
        return this.exit.failLaunch(`component ${this.name}: cannot launch ${QEMU}: ${error.message}`);
      },
      () => {
        this.spawnedNs = native.monotonicNs();
      },
    );
    this.watch = setInterval(() => this.watchGuest(), WATCH_INTERVAL_MS);
    this.watch.unref();
    await this.untilRunning();
  }

  async stop(graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    // The agent sends the component SIGTERM; QEMU itself is forced after the grace period.
    return this.stopChild(graceMs, (qemu) => qemu.stdin?.write("T"));
  }

  isAlive(): boolean {
    if (!this.childAlive()) return false;
    const state = this.arena?.state() ?? AgentState.booting;
    return state !== AgentState.ended && state !== AgentState.launchFailed;
  }

  describe(): VmDescription {
    const description = this.describeChild(!this.childEnded, this.guestArgv, this.guestEnvironment);
    const report = this.arena?.report() ?? this.finalReport;
    const image = this.image;
    return {
      ...description,
      vm: {
        accel: this.accel?.accel ?? "tcg",
        accelReason: this.accel?.reason ?? "",
        guestKernel: report !== undefined && report.kernel !== "" ? report.kernel : (image?.kernel.release ?? ""),
        kernelImage: image?.kernel.path ?? "",
        image: { sha256: image?.sha256 ?? "", initramfs: image?.initramfs ?? "", bytes: image?.bytes ?? 0 },
        memoryMiB: this.memoryMiB,
        vcpus: this.vcpus,
        bootMs: this.runningNs > 0 ? (this.runningNs - this.spawnedNs) / 1e6 : null,
        guestUptimeAtStartMs: report !== undefined && report.state !== AgentState.booting ? report.bootMs : null,
        arena: this.arena?.path ?? "",
        sharedFiles: [...this.sharedFiles],
        qemu: [QEMU, ...this.qemuArgv],
      },
    };
  }

  /** The kernel console and QEMU's own messages, for diagnosing a guest that failed. */
  console(): string {
    return this.consoleTail;
  }

  private spawnGuest(frames: number): ChildProcess {
    const qemu = findExecutable(QEMU);
    if (qemu === undefined)
      throw new Error(`component ${this.name}: ${QEMU} is not on PATH; apt-get install -y qemu-system-x86`);
    this.accel = chooseAccelerator(this.settings.accel, qemu, imageCacheDirectory(), findGuestKernel()?.path);
    this.guestEnvironment = this.environmentInGuest();
    const built = this.buildImage();
    this.guestArgv = built.argv;
    this.image = built.image;
    const image = built.image;
    // The kernel holds the initramfs twice while it unpacks it, and the component needs room besides.
    this.memoryMiB = Math.max(this.settings.memoryMiB, 2 * Math.ceil(image.bytes / 2 ** 20) + 192);
    const highestCpu = Math.max(-1, ...(this.launch.cpus ?? []));
    this.vcpus = Math.max(this.settings.cpus ?? 1, highestCpu + 1);
    // The kernel console's log, and the arena when there is no run, are files
    // nobody can leave behind: unlinked at once, they reach QEMU as inherited
    // descriptors and vanish with the last one, however this process ends.
    this.consoleFd = unlinkedFile("console");
    const shared = this.prepareSharedMemory();
    this.qemuArgv = qemuArguments({
      accel: this.accel.accel,
      vcpus: this.vcpus,
      memoryMiB: this.memoryMiB,
      kernel: image.kernel.path,
      initramfs: image.initramfs,
      arena: shared.arena,
      files: shared.files,
      consoleLog: `/proc/self/fd/${CONSOLE_FD}`,
    });
    const [file = "", ...args] = [...parentDeathPrefix(), ...this.cgroupPrefix(), qemu, ...this.qemuArgv];
    this.cpusAtStart = native.getAffinity(0);
    const inherited = [this.consoleFd, ...(this.arenaFd < 0 ? [] : [this.arenaFd])];
    const child = createPinned(this.name, this.launch.cpus, () =>
      spawn(file, args, {
        stdio: ["pipe", frames, "pipe", ...inherited],
        detached: false,
        env: { PATH: process.env.PATH ?? "" },
      }),
    );
    // QEMU has its own copies now.
    if (this.arenaFd >= 0) closeSync(this.arenaFd);
    this.arenaFd = -1;
    return child;
  }

  /** The component's image, built or found; its build's work shown where the options say, from the first on. */
  private buildImage(): ReturnType<typeof componentImage> {
    let progress: StepProgress | undefined;
    try {
      return componentImage(this.launch, {
        extra: this.settings.files,
        environment: this.guestEnvironment,
        ...(this.settings.image === undefined ? {} : { prebuilt: this.settings.image }),
        onWork: (work) => {
          progress ??= this.options.imageProgress?.(this.name);
          progress?.step(work);
        },
      });
    } finally {
      progress?.finish();
    }
  }

  /** The arena's name in the run's registry. */
  private get arenaName(): string {
    return `${this.name}.arena`;
  }

  /** The component's environment in the guest, where its driver's pid and futex wakes cannot reach. */
  private environmentInGuest(): Record<string, string> {
    const environment = componentEnvironment(this.launch, "enclave");
    // Futex wakes do not cross the VM boundary: a guest spins, then polls with growing sleeps, so a
    // long wait does not hold a host core.
    environment[WAIT_VARIABLE] = JSON.stringify({ ...parseWait(environment[WAIT_VARIABLE]), kind: "backoff" });
    // Segments the component creates go in its arena, the one region made for them that the host maps too.
    environment[ARENA_VARIABLE] = this.arenaName;
    return environment;
  }

  /**
   * The arena, and every file the run's registry names at this moment (the
   * registry too), each padded to a power of two because a PCI BAR is one:
   * the padding is zeros after the payload, which every reader ignores.
   */
  private prepareSharedMemory(): { arena: SharedFile; files: SharedFile[] } {
    const directory = this.launch.runDirectory;
    const owner = readRunOwner(directory);
    const arenaName = this.arenaName;
    const arenaFile = arenaFileName();
    const arenaBytes = this.settings.arenaMiB * 1024 * 1024;
    if (owner === undefined) {
      // No run to join (a launch outside `conflux run`): the arena belongs to the enclave alone.
      this.arena = Arena.create({
        directory: shmRoot(),
        fileName: `conflux-vm-${arenaFile}`,
        name: arenaName,
        runId: "0".repeat(16),
        sizeBytes: arenaBytes,
        launch: this.launchRecords(undefined),
      });
      this.arenaFd = openSync(this.arena.path, "r+");
      unlinkSync(this.arena.path);
      this.sharedFiles = [`${this.arena.path} (unlinked)`];
      return { arena: { path: `/proc/self/fd/${ARENA_FD}`, bytes: arenaBytes }, files: [] };
    }
    const run = Run.join(directory);
    try {
      const fileNames = ["registry"];
      for (const entry of run.segments()) if (!fileNames.includes(entry.file)) fileNames.push(entry.file);
      if (fileNames.length > MAX_SHARED_FILES) {
        throw new Error(
          `component ${this.name}: the run has ${fileNames.length} files at boot, a VM maps at most ${MAX_SHARED_FILES}; use fewer, larger segments`,
        );
      }
      const files = fileNames.map((fileName) => {
        const path = join(directory, fileName);
        const size = statSync(path).size;
        const bytes = nextPowerOfTwo(size);
        if (size < bytes) truncateSync(path, bytes);
        return { path, bytes };
      });
      const devices = [
        { pciAddress: pciAddress(ARENA_SLOT), fileName: arenaFile },
        ...fileNames.map((fileName, index) => ({ pciAddress: pciAddress(ARENA_SLOT + 1 + index), fileName })),
      ];
      this.arena = Arena.create({
        directory,
        fileName: arenaFile,
        name: arenaName,
        runId: owner.runId,
        sizeBytes: arenaBytes,
        launch: this.launchRecords({ directory, ownerJson: JSON.stringify(owner), files: devices }),
      });
      run.registry.register({
        name: arenaName,
        file: arenaFile,
        offset: 0,
        length: arenaBytes,
        kind: SegmentKind.arena,
        creatorPid: process.pid,
      });
      this.registeredIn = directory;
      this.sharedFiles = [this.arena.path, ...files.map((file) => file.path)];
      return { arena: { path: this.arena.path, bytes: arenaBytes }, files };
    } finally {
      run.close();
    }
  }

  private launchRecords(run: GuestLaunch["run"]): Uint8Array {
    return encodeLaunch({
      argv: this.guestArgv,
      env: this.guestEnvironment,
      cwd: this.launch.cwd ?? process.cwd(),
      ...(run === undefined ? {} : { run }),
      ...(this.launch.cpus === undefined ? {} : { cpus: this.launch.cpus }),
    });
  }

  /** Resolves once the agent has started the component; rejects if the guest ends or fails first. */
  private untilRunning(): Promise<void> {
    if (this.runningNs > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.onRunning = resolve;
      this.onFailedStart = reject;
    });
  }

  private onFrame(type: number, payload: Buffer): void {
    if (type === NOISE_EVENT) this.keepConsole(payload.toString("utf8"));
    else if (type === FrameType.agent) this.keepConsole(`conflux agent: ${payload.toString("utf8")}\n`);
    else if (type === FrameType.running) this.markRunning();
    else if (type === FrameType.exit) this.exitReport = payload.toString("utf8");
  }

  private markRunning(): void {
    if (this.runningNs > 0) return;
    this.runningNs = native.monotonicNs();
    this.onRunning();
  }

  private keepConsole(text: string): void {
    this.consoleTail = (this.consoleTail + text).slice(-CONSOLE_TAIL);
  }

  /** Boot timeout and hang detection: the agent beats at least every 100 ms while it runs. */
  private watchGuest(): void {
    const arena = this.arena;
    if (this.childEnded || arena === undefined || this.failure !== undefined) return;
    const now = native.monotonicNs();
    if (this.runningNs === 0 && arena.state() === AgentState.running) this.markRunning();
    if (this.runningNs === 0) {
      if (now - this.spawnedNs > this.settings.bootTimeoutMs * 1e6) {
        this.abandon(`the guest did not start the component within ${this.settings.bootTimeoutMs} ms`);
      }
      return;
    }
    const beat = arena.heartbeat();
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatNs = now;
      return;
    }
    if (
      arena.state() === AgentState.running &&
      now - Math.max(this.lastBeatNs, this.runningNs) > this.settings.hangMs * 1e6
    ) {
      this.abandon(`the guest hangs: its agent has not beaten for ${this.settings.hangMs} ms`);
    }
  }

  /** Ends a guest that failed on its own (no boot, a hang), remembering why. */
  private abandon(reason: string): void {
    this.failure = reason;
    this.child?.kill("SIGKILL");
  }

  protected onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.watch !== undefined) clearInterval(this.watch);
    this.finalReport = this.arena?.report();
    this.arena?.close();
    this.arena = undefined;
    void drainOutput([this.stdout, this.stderr], OUTPUT_DRAIN_MS).then(() => {
      this.cleanUpFiles();
      const status = this.exitStatus(code, signal);
      if (this.runningNs === 0) {
        const message = status.error ?? `component ${this.name}: the guest ended before the component started`;
        this.onFailedStart(new Error(message));
      }
      this.finish(status);
    });
  }

  /** How the component ended, from the agent's report, what we asked for, and how QEMU ended. */
  private exitStatus(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
    const report = this.finalReport;
    const ended = report?.state === AgentState.ended;
    const componentCode = ended && report !== undefined && report.exit >= 0 ? report.exit : null;
    const componentSignal =
      ended && report !== undefined && report.exit < 0 ? (SIGNAL_NAMES.get(-report.exit) ?? null) : null;
    if (this.requested !== undefined) {
      return ended
        ? { code: componentCode, signal: componentSignal, cause: this.requested }
        : { code: null, signal: signal ?? "SIGKILL", cause: this.requested };
    }
    if (ended)
      return { code: componentCode, signal: componentSignal, cause: componentSignal === null ? "exit" : "signal" };
    const where = `component ${this.name} (vm)`;
    const launchFailure = this.exitReport?.startsWith("launch ") ? this.exitReport.slice("launch ".length) : undefined;
    if (report?.state === AgentState.launchFailed || launchFailure !== undefined) {
      return {
        code: null,
        signal: null,
        cause: "launch",
        error: `${where}: ${launchFailure ?? "the guest agent could not start it"}`,
      };
    }
    const console = consoleSummary(this.consoleTail);
    if (this.failure !== undefined) {
      return {
        code: null,
        signal: null,
        cause: "exit",
        error: `${where}: ${this.failure}; kernel console:\n${console}`,
      };
    }
    if (signal !== null) {
      return {
        code: null,
        signal,
        cause: "signal",
        error: `${where}: QEMU (pid ${this.child?.pid}) was ended by ${signal}`,
      };
    }
    return {
      code: null,
      signal: null,
      cause: "exit",
      error: `${where}: the guest ended (QEMU exit ${code}) before its agent reported the component's end; kernel console:\n${console}`,
    };
  }

  private cleanUpFiles(): void {
    if (this.consoleFd >= 0) {
      try {
        this.keepConsole(readFileSync(this.consoleFd, "utf8"));
      } catch {
        // nothing was written
      }
      closeSync(this.consoleFd);
    }
    this.consoleFd = -1;
    if (this.arenaFd >= 0) closeSync(this.arenaFd);
    this.arenaFd = -1;
    this.arena?.close();
    this.arena = undefined;
  }

  /** A launch that failed before QEMU ran leaves no arena behind, in the run or outside it. */
  private discardArena(): void {
    const arena = this.arena;
    if (arena !== undefined && this.registeredIn !== undefined) {
      try {
        const run = Run.join(this.registeredIn);
        run.registry.unregister(`${this.name}.arena`);
        run.close();
      } catch {
        // the run is gone: so is its directory
      }
      arena.remove();
      this.arena = undefined;
      this.registeredIn = undefined;
    }
    this.cleanUpFiles();
  }

  /** The end, settled once; the watch over the guest ends with it. */
  private finish(status: ExitStatus): void {
    if (this.exit.finish(status) && this.watch !== undefined) clearInterval(this.watch);
  }
}

/** What a kernel console says about a guest's end: its panic or oops lines, then its last lines. */
function consoleSummary(text: string): string {
  const lines = text.replaceAll("\r", "").trim().split("\n");
  const causes = lines.filter((line) => /Kernel panic|sysrq|BUG:|Oops:|Out of memory/i.test(line)).slice(0, 4);
  return [...causes, ...(causes.length > 0 ? ["…"] : []), ...lines.slice(-8)].join("\n");
}

/** A new file on tmpfs, open for reading and writing, already unlinked. */
function unlinkedFile(what: string): number {
  const path = join(shmRoot(), `conflux-vm-${what}-${randomBytes(6).toString("hex")}`);
  const fd = openSync(path, "wx+", 0o600);
  unlinkSync(path);
  return fd;
}

function parseWait(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text === "") return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
