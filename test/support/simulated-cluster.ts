// A simulated Slurm cluster for a test (scripts/simulated-cluster.sh): started
// in a directory of its own under the system's temporary directory, torn down
// when the test ends, passed or failed, and checked to be gone.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { projectRoot } from "./child-process.ts";

export const CLUSTER_SCRIPT = join(projectRoot, "scripts/simulated-cluster.sh");

export interface SimulatedCluster {
  directory: string;
  nodes: number;
  /** The namespaces' prefix: every one the cluster made starts with it. */
  prefix: string;
  /** Runs `args` on `host` (ctl, node1 …) to its end. */
  run(host: string, args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): RunResult;
  /** Starts `args` on `host` and returns at once; the process ends with the cluster at the latest. */
  start(host: string, args: string[], env?: Record<string, string>): ReturnType<typeof spawn>;
  down(): void;
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every network namespace of simulated clusters (names under /run/netns start with "cfxsim-"). */
export function simulatedNamespaces(): string[] {
  return existsSync("/run/netns") ? readdirSync("/run/netns").filter((name) => name.startsWith("cfxsim-")) : [];
}

/** A cluster for every test of a file: the caller tears it down (down()) in its file's after hook. */
export function clusterForFile(nodes: number): SimulatedCluster {
  return bringUp(() => {}, nodes);
}

/** A cluster for one test, torn down when it ends. */
export function startCluster(t: TestContext, nodes: number): SimulatedCluster {
  return bringUp((down) => t.after(down), nodes);
}

function bringUp(onEnd: (down: () => void) => void, nodes: number): SimulatedCluster {
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
        cwd: projectRoot,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 1 << 26,
      });
      return { status: ran.status, signal: ran.signal, stdout: ran.stdout, stderr: ran.stderr };
    },
    start(host, args, env = {}) {
      return spawn("bash", [CLUSTER_SCRIPT, "run", directory, host, ...args], {
        cwd: projectRoot,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
    },
    down,
  };
}
