// A simulated Slurm cluster on this machine (scripts/simulated-cluster.sh):
// started in a directory of its own under the system's temporary directory,
// driven through the script's `run`, and torn down by `down`, which whoever
// started it calls however it ends. The tests and `conflux bench coupling
// --nodes 2` both start theirs here. Needs root, Slurm and munge.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT, packagePath } from "./package-root.ts";

export const CLUSTER_SCRIPT = packagePath("scripts/simulated-cluster.sh");

export interface SimulatedCluster {
  directory: string;
  nodes: number;
  /** The namespaces' prefix: every one the cluster made starts with it. */
  prefix: string;
  /** Runs `args` on `host` (ctl, node1 …) to its end. */
  run(host: string, args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): ClusterRunResult;
  /** Starts `args` on `host` and returns at once; the process ends with the cluster at the latest. */
  start(host: string, args: string[], env?: Record<string, string>): ChildProcess;
  down(): void;
}

export interface ClusterRunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts a cluster of `nodes` nodes; `onEnd` is given its teardown first, so that a failed start is torn down too. */
export function startSimulatedCluster(nodes: number, onEnd: (down: () => void) => void = () => {}): SimulatedCluster {
  const directory = mkdtempSync(join(tmpdir(), "conflux-cluster-"));
  let stopped = false;
  const down = () => {
    if (stopped) return;
    stopped = true;
    spawnSync("bash", [CLUSTER_SCRIPT, "down", directory], { stdio: "ignore", timeout: 60_000 });
    rmSync(directory, { recursive: true, force: true });
  };
  onEnd(down);
  const up = spawnSync("bash", [CLUSTER_SCRIPT, "up", directory, String(nodes)], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (up.status !== 0) {
    const logs = readdirSync(join(directory, "log"))
      .map(
        (file) =>
          `${file}: ${readFileSync(join(directory, "log", file), "utf8")
            .trim()
            .split("\n")
            .slice(-3)
            .join(" | ")}`,
      )
      .join("\n");
    down();
    throw new Error(`the simulated cluster did not start: ${up.stderr.trim()}\n${logs}`);
  }
  const prefix = `cfxsim-${readFileSync(join(directory, "run", "id"), "utf8").trim()}-`;
  return {
    directory,
    nodes,
    prefix,
    run(host, args, options = {}) {
      const ran = spawnSync("bash", [CLUSTER_SCRIPT, "run", directory, host, ...args], {
        encoding: "utf8",
        cwd: PACKAGE_ROOT,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 1 << 26,
      });
      return { status: ran.status, signal: ran.signal, stdout: ran.stdout, stderr: ran.stderr };
    },
    start(host, args, env = {}) {
      return spawn("bash", [CLUSTER_SCRIPT, "run", directory, host, ...args], {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
    },
    down,
  };
}
