// An OCI bundle's config.json (runtime-spec 1.0) for one container component,
// generated from the same root description bubblewrap gets: the stack's
// directories bound read-only, fresh /proc, /dev and /tmp, the run's directory
// read-write, the host directories the component needs read-only, and an init
// of ours (container/init.c) as the first process of the container's pid
// namespace, which runs the component.
import { join } from "node:path";
import type { ContainerRoot } from "../root.ts";

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciConfig {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<"bounding" | "effective" | "permitted", string[]>;
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: { namespaces: { type: string }[]; maskedPaths: string[]; readonlyPaths: string[] };
}

const READ_ONLY = ["rbind", "ro", "nosuid", "nodev"];

/** Where the init is bound in the container: a top-level name no stack uses. */
export const CONTAINER_INIT_PATH = "/.conflux-init";

/**
 * The descriptor, passed through the runtime (crun --preserve-fds), whose other
 * end only the driver holds: the init ends the container when it hangs up, so
 * the container dies with the driver even if the runtime does not.
 */
export const HANGUP_FD = 3;
/** What a process in a container may still do; nothing that would reach past its root. */
const CAPABILITIES = ["CAP_KILL", "CAP_AUDIT_WRITE", "CAP_NET_BIND_SERVICE"];

export interface OciConfigInput {
  root: ContainerRoot;
  /** The directory that becomes "/" (it holds the top-level symlinks and the mount points). */
  rootPath: string;
  network: boolean;
  /** The host path of the namespace's init (container/init.c), which runs the component. */
  init: string;
  uid: number;
  gid: number;
}

export function ociConfig(input: OciConfigInput): OciConfig {
  const { root } = input;
  const mounts: OciMount[] = [];
  for (const entry of root.entries) {
    if (entry.kind === "directory") {
      mounts.push({
        destination: `/${entry.name}`,
        type: "bind",
        source: join(root.source, entry.name),
        options: READ_ONLY,
      });
    }
  }
  mounts.push(
    { destination: "/proc", type: "proc", source: "proc" },
    {
      destination: "/dev",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
    },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
    },
    // A private, empty /dev/shm: the run's directory is the only shared memory the component sees.
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] },
  );
  if (root.runDirectory !== undefined) {
    mounts.push({
      destination: root.runDirectory,
      type: "bind",
      source: root.runDirectory,
      options: ["rbind", "rw", "nosuid", "nodev"],
    });
  }
  for (const directory of root.hostDirectories) {
    mounts.push({ destination: directory, type: "bind", source: directory, options: READ_ONLY });
  }
  mounts.push({ destination: CONTAINER_INIT_PATH, type: "bind", source: input.init, options: READ_ONLY });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: input.uid, gid: input.gid },
      args: [CONTAINER_INIT_PATH, "--hangup-fd", String(HANGUP_FD), ...root.argv],
      env: Object.entries(root.environment).map(([key, value]) => `${key}=${value}`),
      cwd: root.cwd,
      capabilities: { bounding: CAPABILITIES, effective: CAPABILITIES, permitted: CAPABILITIES },
      noNewPrivileges: true,
    },
    root: { path: input.rootPath, readonly: true },
    hostname: "conflux",
    mounts,
    linux: {
      // In its own pid namespace the component cannot see the driver's pid; it is told to rely on the
      // enclave instead (../root.ts), and the namespace ends with its init, which dies with crun.
      namespaces: [
        { type: "pid" },
        { type: "mount" },
        { type: "ipc" },
        { type: "uts" },
        ...(input.network ? [] : [{ type: "network" }]),
      ],
      maskedPaths: [
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/sched_debug",
        "/proc/scsi",
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}
