// enclave/container/bubblewrap/ owns the bubblewrap runtime: bwrap's command line and how it reports the component's pid.
// It must not supervise the component: container-enclave.ts does that for every runtime alike.

// bwrap's command line for one container component. Order matters to bwrap:
// every mount lands on what the earlier ones made, so the root's directories
// come first, then /proc, /dev and /tmp, then the run's directory and the host
// directories bound on top.
import { join } from "node:path";
import type { ContainerRoot } from "../root.ts";

/** The file descriptor bwrap reports the component's pid and exit code on, as JSON lines. */
export const BWRAP_STATUS_FD = 3;

/**
 * Every namespace bwrap can make. In its own pid namespace the component cannot
 * see its driver's pid, so it is told to rely on the enclave instead
 * (CONFLUX_DRIVER_LIVENESS, set in ../root.ts): bwrap is the namespace's
 * init, and the kernel kills everything in the namespace when bwrap dies with
 * its parent (--die-with-parent).
 */
const NAMESPACES = ["--unshare-user-try", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"];

export function bubblewrapArguments(root: ContainerRoot, network: boolean): string[] {
  const args = [...NAMESPACES, ...(network ? [] : ["--unshare-net"]), "--die-with-parent"];
  args.push("--json-status-fd", String(BWRAP_STATUS_FD));
  for (const entry of root.entries) {
    if (entry.kind === "symlink") args.push("--symlink", entry.target, `/${entry.name}`);
    else args.push("--ro-bind", join(root.source, entry.name), `/${entry.name}`);
  }
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  if (root.runDirectory !== undefined) args.push("--bind", root.runDirectory, root.runDirectory);
  for (const directory of root.hostDirectories) args.push("--ro-bind", directory, directory);
  // bwrap's own root is a tmpfs that held the mount points; nothing may be written there.
  args.push("--remount-ro", "/", "--chdir", root.cwd, "--");
  return [...args, ...root.argv];
}
