// The one interface every enclave backend implements: launch a component,
// watch it, end it, and say what it ran on. Backends differ in isolation
// (thread, process, container, VM); callers never branch on which one they got.

import type { EnclaveDescription } from "./environment-description.ts";
import type { EnclaveKind } from "./kind.ts";
import type { ComponentLaunch } from "./launch.ts";
import type { OutputSink } from "./output-capture.ts";
import type { ResourceUsage } from "./resources/resource-limits.ts";

/** Who or what ended a component. */
export type ExitCause =
  /** It ended by itself: returned, called process.exit, or died of an uncaught error. */
  | "exit"
  /** A signal the supervisor did not send ended its process (the OOM killer, a user's kill -9). */
  | "signal"
  /** stop() ended it, politely or, after the grace period, by force. */
  | "stop"
  /** kill() ended it. */
  | "kill"
  /** It never ran: the launch failed, or stop()/kill() came before start(). */
  | "launch";

export interface ExitStatus {
  /** The exit code; null when a signal ended the process. A thread ended by stop()/kill() reports 1. */
  code: number | null;
  /** The name of the signal that ended the process; always null for a thread. */
  signal: NodeJS.Signals | null;
  cause: ExitCause;
  /** The uncaught error's message (thread), or why the component could not be launched. */
  error?: string;
  /** The kernel killed it for holding more memory than its enclave's limit (memory_mib). */
  memoryLimit?: { limitMib: number; peakBytes: number };
}

/** A long step's progress as a command line shows it (a bar on a terminal, a line per step elsewhere). */
export interface StepProgress {
  /** The next step begins. */
  step(what: string): void;
  /** The last has ended, however it ended. */
  finish(): void;
}

export interface EnclaveOptions {
  /**
   * Where the component's output goes, line by line, prefixed with "[name] ",
   * as it is written (default process.stderr, so users see their component's
   * prints); null keeps it only in output(). A thread of its own reads it, so a
   * busy supervisor neither delays it nor makes the component wait on a full pipe.
   */
  output?: OutputSink | null;
  /**
   * Kill the component when this process gets SIGINT, SIGTERM or SIGHUP, then
   * die of the signal (default true). A supervisor that stops its components
   * itself on those signals passes false. A normal exit or an uncaught exception
   * kills the component in any case.
   */
  handleSignals?: boolean;
  /** How long stop() waits for a polite end before forcing one (default 2000 ms). */
  stopGraceMs?: number;
  /**
   * Where a VM enclave shows the build of its component's image, called with the component's name when the
   * image, or a part of it, is not stored and must be made (an image found whole shows nothing); by default
   * nowhere. `conflux run` shows it on stderr, apart from the component's own output.
   */
  imageProgress?: (component: string) => StepProgress;
}

export const DEFAULT_STOP_GRACE_MS = 2000;

export interface Enclave {
  readonly kind: EnclaveKind;
  /**
   * Whether a futex wake on this host reaches the component's waits and the
   * component's reach ours. False for a VM: a guest kernel's futex is its own,
   * so both sides of its channels must poll (spin) instead of sleeping.
   */
  readonly sharesFutexes: boolean;
  /** The component's name, used in every message about it. */
  readonly name: string;
  readonly launch: ComponentLaunch;
  /** The OS process that runs the component (a thread: this process). Throws before start(). */
  readonly pid: number;
  /** The worker's threadId, for a thread enclave. */
  readonly threadId?: number;
  /**
   * Launches the component; resolves once its code has begun to run (process
   * spawned, worker online). Rejects, naming the path or command, when it cannot.
   */
  start(): Promise<void>;
  /**
   * Asks the component to end (a process: SIGTERM; a thread: worker.terminate())
   * and forces it (SIGKILL) after `graceMs`. Resolves with how it ended.
   */
  stop(graceMs?: number): Promise<ExitStatus>;
  /** Ends the component now (SIGKILL; a thread: terminate). `exited` tells when it is gone. */
  kill(): void;
  /** Resolves exactly once, when the component has ended and its output has been read. */
  readonly exited: Promise<ExitStatus>;
  /**
   * Resolves with the same status as soon as the component is known to have
   * ended, perhaps before its output has been read: for telling at once how a
   * component ended. A backend that learns it only with its output resolves it with `exited`.
   */
  readonly ended: Promise<ExitStatus>;
  /** Whether `exited` has resolved. */
  hasExited(): boolean;
  /**
   * Whether the component still runs. Cheap enough for a tight polling loop: it
   * allocates nothing and needs no turn of the event loop (a pidfd poll for a
   * process, a shared word the worker clears for a thread).
   */
  isAlive(): boolean;
  /** What the component runs on, for the run record. Secrets in its environment are redacted. */
  describe(): EnclaveDescription;
  /**
   * What its processes used (peak memory, CPU time) and the limits they ran under, from the enclave's cgroup;
   * complete once it has ended. Undefined where it has none: a thread, or a host without usable cgroups.
   */
  resourceUsage(): ResourceUsage | undefined;
  /** The last 64 KiB the component wrote to each stream, readable at any moment. */
  output(): { stdout: string; stderr: string };
}
