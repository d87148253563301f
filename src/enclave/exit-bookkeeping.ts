// How a component ended, kept the same way by every enclave backend: the
// status, settled exactly once; a launch that failed or never came (stop() or
// kill() before start()) as an end of its own; and stop()'s forced end after
// the grace period. What the backends do to end a component stays with them.
import type { ExitStatus } from "./enclave.ts";

export class ExitBookkeeping {
  /** Resolves exactly once, with the first status finish() is given. */
  readonly exited: Promise<ExitStatus>;
  /** Resolves with the status as soon as it is known (end()), at the latest with `exited`. */
  readonly ended: Promise<ExitStatus>;
  private settleEnded: (status: ExitStatus) => void = () => {};
  private readonly name: string;
  private status: ExitStatus | undefined;
  private settle: (status: ExitStatus) => void = () => {};
  private startCalled = false;
  /** What the backend learnt of the end beside the process's own status (a memory limit hit), merged into it. */
  private annotation: Partial<ExitStatus> = {};

  constructor(name: string) {
    this.name = name;
    this.exited = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.ended = new Promise((resolve) => {
      this.settleEnded = resolve;
    });
  }

  /** The component has ended with `status`; its output may still be on its way (finish() follows). */
  end(status: ExitStatus): void {
    if (this.status === undefined) this.settleEnded({ ...status, ...this.annotation });
  }

  /** Adds `extra` to the status to come: call it before end() or finish(). */
  annotate(extra: Partial<ExitStatus>): void {
    this.annotation = { ...this.annotation, ...extra };
  }

  hasExited(): boolean {
    return this.status !== undefined;
  }

  /** Why start() must not go on (it was called before, or the component has ended already), else undefined. */
  refuseStart(): Error | undefined {
    if (this.startCalled) return new Error(`component ${this.name}: start() was called twice`);
    this.startCalled = true;
    if (this.status !== undefined) {
      return new Error(`component ${this.name}: cannot start, it has ended already (${this.status.cause})`);
    }
    return undefined;
  }

  /** Settles `exited` with `status`, unless it has settled already; says whether it did. */
  finish(status: ExitStatus): boolean {
    if (this.status !== undefined) return false;
    const annotated = { ...status, ...this.annotation };
    this.status = annotated;
    this.settleEnded(annotated);
    this.settle(annotated);
    return true;
  }

  /** The component could not be launched: that is its end. Returns the error for start() to throw. */
  failLaunch(message: string): Error {
    this.finish({ code: null, signal: null, cause: "launch", error: message });
    return new Error(message);
  }

  /** failLaunch() with what was thrown, named after the component unless its message already is. */
  failLaunchOn(error: unknown, action: string): Error {
    const message = messageOf(error);
    return this.failLaunch(
      message.startsWith("component ") ? message : `component ${this.name}: ${action}: ${message}`,
    );
  }

  /**
   * stop() or kill() before start(), or after the end: the component will never
   * run (again). `launched` says whether start() got as far as launching it.
   */
  endUnstarted(cause: "stop" | "kill", launched: boolean): Promise<ExitStatus> {
    if (this.status === undefined && !launched) {
      this.finish({ code: null, signal: null, cause: "launch", error: `${cause} came before start()` });
    }
    return this.exited;
  }

  /** The end, calling `force` if it has not come within `graceMs`. */
  async forcedAfter(graceMs: number, force: () => void): Promise<ExitStatus> {
    const timer = setTimeout(force, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
