// A component of N ranks that the driver starts as N plain processes, seen as
// one enclave: it lives while every rank lives, it has ended once every rank
// has, and the first rank to end badly is how it ended, kept with its rank so
// the error can say which.

import type { Enclave, ExitStatus } from "./enclave.ts";
import type { EnclaveDescription } from "./environment-description.ts";
import type { EnclaveKind } from "./kind.ts";
import type { ComponentLaunch } from "./launch.ts";
import type { ResourceUsage } from "./resources/resource-limits.ts";

/** The rank that ended the group, and how. */
export interface RankEnd {
  rank: number;
  pid: number;
  exit: ExitStatus;
}

export class EnclaveGroup implements Enclave {
  readonly kind: EnclaveKind;
  readonly sharesFutexes: boolean;
  readonly launch: ComponentLaunch;
  readonly exited: Promise<ExitStatus>;
  readonly ended: Promise<ExitStatus>;
  /** The first rank that ended badly (a signal, a non-zero code), once one has. */
  firstBadEnd: RankEnd | undefined;

  constructor(
    readonly name: string,
    /** In rank order. */
    readonly members: readonly Enclave[],
  ) {
    const first = members[0];
    if (first === undefined) throw new Error(`component ${name}: a group of ranks needs at least one`);
    this.kind = first.kind;
    this.sharesFutexes = members.every((member) => member.sharesFutexes);
    this.launch = first.launch;
    this.ended = new Promise((resolve) => {
      let left = members.length;
      members.forEach((member, rank) => {
        void member.ended.then((exit) => {
          left--;
          if (this.firstBadEnd === undefined && badEnd(exit)) {
            this.firstBadEnd = { rank, pid: pidOf(member), exit };
            resolve(exit);
          } else if (left === 0) resolve(this.firstBadEnd?.exit ?? exit);
        });
      });
    });
    this.exited = Promise.all(members.map((member) => member.exited)).then(
      (exits) => this.firstBadEnd?.exit ?? (exits[0] as ExitStatus),
    );
  }

  get pid(): number {
    return (this.members[0] as Enclave).pid;
  }

  /** Rank `rank`'s own enclave. */
  member(rank: number): Enclave {
    return this.members[rank] as Enclave;
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((member) => member.start()));
  }

  async stop(graceMs?: number): Promise<ExitStatus> {
    const exits = await Promise.all(this.members.map((member) => member.stop(graceMs)));
    return this.firstBadEnd?.exit ?? (exits.find(badEnd) as ExitStatus | undefined) ?? (exits[0] as ExitStatus);
  }

  kill(): void {
    for (const member of this.members) member.kill();
  }

  hasExited(): boolean {
    return this.members.every((member) => member.hasExited());
  }

  isAlive(): boolean {
    for (const member of this.members) if (!member.isAlive()) return false;
    return true;
  }

  /** Each rank's cgroup is its own: the group's usage is per rank (memberUsage). */
  resourceUsage(): ResourceUsage | undefined {
    return undefined;
  }

  /** What each rank's processes used, in rank order. */
  memberUsage(): (ResourceUsage | undefined)[] {
    return this.members.map((member) => member.resourceUsage());
  }

  describe(): EnclaveDescription {
    const first = (this.members[0] as Enclave).describe();
    return { ...first, name: this.name, rankPids: this.members.map(pidOf) };
  }

  output(): { stdout: string; stderr: string } {
    const outputs = this.members.map((member) => member.output());
    return {
      stdout: outputs.map((output) => output.stdout).join(""),
      stderr: outputs.map((output) => output.stderr).join(""),
    };
  }
}

function badEnd(exit: ExitStatus): boolean {
  return exit.cause !== "stop" && (exit.signal !== null || (exit.code !== null && exit.code !== 0));
}

function pidOf(enclave: Enclave): number {
  try {
    return enclave.pid;
  } catch {
    return 0;
  }
}
