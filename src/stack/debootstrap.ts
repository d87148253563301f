// Runs debootstrap for a stack's base: a minimal Debian release, then the
// spec's packages installed in it by its own apt-get. debootstrap's --include
// cannot carry large stacks (LAMMPS, FEniCS: MPI, alternatives, triggers): it
// unpacks everything and configures in one dpkg pass, which fails where apt
// orders the configuration. It all runs in a mount namespace of its own, so the
// /proc it mounts inside the tree vanishes with it however it ends, and it dies
// with this process.
import { spawn } from "node:child_process";
import { findExecutable } from "../platform/executable.ts";
import { parentDeathPrefix } from "../platform/parent-death-signal.ts";
import { DEBOOTSTRAP_VARIANT, debianArchitecture } from "./stack-hash.ts";

export interface DebootstrapRequest {
  release: string;
  packages: string[];
  target: string;
  mirror: string;
  /** Each line debootstrap prints. */
  onLine?(line: string): void;
}

/** What debootstrap needs from this machine, or why it cannot run; undefined when it can. */
export function debootstrapMissing(): string | undefined {
  if (findExecutable("debootstrap") === undefined) return "debootstrap is not installed (apt-get install debootstrap)";
  if (process.getuid?.() !== 0)
    return "building a stack runs debootstrap, which needs root; run conflux stack build as root";
  return undefined;
}

/**
 * $1 the architecture flag, $2 release, $3 target, $4 mirror, then the packages.
 * No service starts inside the tree (policy-rc.d), and apt's lists and
 * downloads are removed: a stack never needs them.
 */
const BUILD_SCRIPT = `set -eu
arch=$1 release=$2 target=$3 mirror=$4
shift 4
debootstrap --variant=${DEBOOTSTRAP_VARIANT} "$arch" "$release" "$target" "$mirror"
if [ $# -gt 0 ]; then
  echo "I: installing $* with apt-get"
  mount -t proc proc "$target/proc"
  printf '#!/bin/sh\\nexit 101\\n' > "$target/usr/sbin/policy-rc.d"
  chmod 755 "$target/usr/sbin/policy-rc.d"
  chroot "$target" apt-get -q update
  DEBIAN_FRONTEND=noninteractive chroot "$target" apt-get install -q -y --no-install-recommends "$@"
  chroot "$target" apt-get clean
  rm -f "$target/usr/sbin/policy-rc.d"
  rm -rf "$target"/var/lib/apt/lists/*
  umount "$target/proc"
fi
`;

export function debootstrap(request: DebootstrapRequest): Promise<void> {
  const missing = debootstrapMissing();
  if (missing !== undefined) return Promise.reject(new Error(missing));
  const unshare = findExecutable("unshare");
  const argv = [
    ...parentDeathPrefix(),
    ...(unshare === undefined ? [] : [unshare, "--mount", "--propagation", "private", "--"]),
    // A build is a batch job: it yields the CPUs to coupled runs that share the machine.
    "nice",
    "-n",
    "10",
    "bash",
    "-c",
    BUILD_SCRIPT,
    "stack-build",
    `--arch=${debianArchitecture()}`,
    request.release,
    request.target,
    request.mirror,
    ...request.packages,
  ];
  const [file = "bash", ...rest] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file, rest, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    const tail: string[] = [];
    let partial = "";
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        request.onLine?.(line);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    // Ctrl-C reaches debootstrap through the terminal too; the caller removes the half-built tree.
    const onExit = () => child.kill("SIGKILL");
    process.once("exit", onExit);
    child.once("error", (error) => {
      process.removeListener("exit", onExit);
      reject(new Error(`cannot run debootstrap: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      process.removeListener("exit", onExit);
      if (partial !== "") tail.push(partial);
      if (code === 0) resolve();
      else reject(new Error(explainDebootstrap(request, tail, code, signal)));
    });
  });
}

/** debootstrap's last words, read for the mistakes a spec can make. */
function explainDebootstrap(
  request: DebootstrapRequest,
  tail: string[],
  code: number | null,
  signal: NodeJS.Signals | null,
): string {
  const text = tail.join("\n");
  const missing =
    /Couldn't find these debs: (.*)/.exec(text)?.[1] ??
    /E: (?:Unable to locate package|Package '?)([^ ']+)'?(?: has no installation candidate)?/.exec(text)?.[1];
  if (missing !== undefined)
    return `Debian ${request.release} has no package ${missing.trim()} (check the spec's packages)`;
  if (/No such script/.test(text)) {
    return `this debootstrap does not know the release ${request.release}; use a Debian codename it has a script for (ls /usr/share/debootstrap/scripts)`;
  }
  if (/Failed getting release file|Failure trying to run|Temporary failure resolving|Could not resolve/.test(text)) {
    return `debootstrap could not download Debian ${request.release} from ${request.mirror} (set CONFLUX_DEBIAN_MIRROR to a reachable mirror):\n${tail.slice(-5).join("\n")}`;
  }
  const how = signal === null ? `exit code ${code}` : signal;
  return `debootstrap failed (${how}):\n${tail.slice(-10).join("\n")}`;
}
