// What the container enclave asks of a runtime (bubblewrap, crun): a command
// line that starts the component in its root, a way to learn the component's
// pid as this host sees it, a reading of the runtime's own failures, and
// cleanup of whatever it put on disk. Supervision itself is shared
// (container-enclave.ts), so both runtimes report exits alike.
import type { ChildProcess } from "node:child_process";
import type { ContainerRoot } from "./root.ts";
import type { ContainerLaunch, ContainerRuntimeName } from "./settings.ts";

export interface PreparedContainer {
  /** The runtime's command line (the parent-death prefix goes in front of it). */
  argv: string[];
  /** The runtime process's environment. */
  environment: Record<string, string>;
  /** How many pipes to open after stdin, stdout and stderr (bwrap reports on fd 3). */
  extraPipes: number;
  /** The component's pid once it runs; undefined when the runtime ended before it started one. */
  componentPid(runtime: ChildProcess): Promise<number | undefined>;
  /** The runtime's error output turned into a message a user can act on; undefined when it names no known failure. */
  explain(stderr: string): string | undefined;
  /**
   * Whether the pid componentPid() gives is the pid namespace's init, which runs
   * the component as its one child (crun), rather than the component itself.
   */
  watchesInit: boolean;
  /** Removes what prepare() made on disk. Idempotent and synchronous: exit hooks call it. */
  cleanup(): void;
}

export interface ContainerRuntime {
  readonly name: ContainerRuntimeName;
  /** Everything that can be checked or written before the runtime starts; throws a message naming the component. */
  prepare(launch: ContainerLaunch, root: ContainerRoot, network: boolean): PreparedContainer;
}
