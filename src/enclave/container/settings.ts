// What a container enclave needs beyond the launch itself: which runtime
// isolates the component, which root filesystem it sees, and whether it may use
// the network. The composition's `enclave.container` becomes this, with the
// stack's name already turned into a directory by the layer that knows stacks.
import type { ComponentLaunch } from "../launch.ts";

export const CONTAINER_RUNTIMES = ["bubblewrap", "crun"] as const;
export type ContainerRuntimeName = (typeof CONTAINER_RUNTIMES)[number];

export interface ContainerSettings {
  /** bubblewrap (default: no root needed) or crun (an OCI runtime). */
  runtime?: ContainerRuntimeName;
  /** The stack's root filesystem, an absolute path; absent: the host's system directories, read-only. */
  rootfs?: string;
  /** The stack's name, for messages ("stack numpy1 has no python3"). */
  stack?: string;
  /** Whether the component may use the network (default false: a network namespace of its own, with no interface). */
  network?: boolean;
}

/** The runtime of a container launch that names none (default bubblewrap). */
export const CONTAINER_RUNTIME_VARIABLE = "CONFLUX_CONTAINER_RUNTIME";

/** A launch that may carry container settings; every other backend ignores them. */
export type ContainerLaunch = ComponentLaunch & { container?: ContainerSettings };

/** The settings with defaults filled in, checked; throws naming the component and the field. */
export function containerSettings(
  launch: ContainerLaunch,
): Required<Omit<ContainerSettings, "rootfs" | "stack">> & Pick<ContainerSettings, "rootfs" | "stack"> {
  const given = launch.container ?? {};
  const runtime = given.runtime ?? (process.env[CONTAINER_RUNTIME_VARIABLE] || "bubblewrap");
  if (!isRuntime(runtime)) {
    throw new Error(
      `component ${launch.name}: container runtime ${JSON.stringify(runtime)} is unknown; use ${CONTAINER_RUNTIMES.join(" or ")}`,
    );
  }
  if (given.rootfs !== undefined && !given.rootfs.startsWith("/")) {
    throw new Error(
      `component ${launch.name}: a stack's root filesystem must be an absolute path, got ${given.rootfs}`,
    );
  }
  return {
    runtime,
    network: given.network ?? false,
    ...(given.rootfs === undefined ? {} : { rootfs: given.rootfs }),
    ...(given.stack === undefined ? {} : { stack: given.stack }),
  };
}

function isRuntime(name: string): name is ContainerRuntimeName {
  return (CONTAINER_RUNTIMES as readonly string[]).includes(name);
}
