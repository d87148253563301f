// Runs debootstrap for a stack's base: a minimal Debian release with the
// spec's packages. It runs in a mount namespace of its own, so the /proc and
// /sys it mounts inside the tree vanish with it however it ends, and it dies
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

export function debootstrap(request: DebootstrapRequest): Promise<void> {
  const missing = debootstrapMissing();
  if (missing !== undefined) return Promise.reject(new Error(missing));
  const unshare = findExecutable("unshare");
  const args = [
    `--variant=${DEBOOTSTRAP_VARIANT}`,
    `--arch=${debianArchitecture()}`,
    ...(request.packages.length > 0 ? [`--include=${request.packages.join(",")}`] : []),
    request.release,
    request.target,
    request.mirror,
  ];
  const argv = [
    ...parentDeathPrefix(),
    ...(unshare === undefined ? [] : [unshare, "--mount", "--propagation", "private", "--"]),
    // A build is a batch job: it yields the CPUs to coupled runs that share the machine.
    "nice",
    "-n",
    "10",
    "debootstrap",
    ...args,
  ];
  const [file = "debootstrap", ...rest] = argv;
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
  const missing = /Couldn't find these debs: (.*)/.exec(text)?.[1];
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
