// A simulated Slurm cluster for a test (src/platform/simulated-cluster.ts):
// torn down when the test (or the file) ends, passed or failed, and checked to
// be gone.
import { existsSync, readdirSync } from "node:fs";
import type { TestContext } from "node:test";
import { type SimulatedCluster, startSimulatedCluster } from "../../src/platform/simulated-cluster.ts";

export {
  CLUSTER_SCRIPT,
  type ClusterRunResult as RunResult,
  type SimulatedCluster,
} from "../../src/platform/simulated-cluster.ts";

/** Every network namespace of simulated clusters (names under /run/netns start with "cfxsim-"). */
export function simulatedNamespaces(): string[] {
  return existsSync("/run/netns") ? readdirSync("/run/netns").filter((name) => name.startsWith("cfxsim-")) : [];
}

/** A cluster for every test of a file: the caller tears it down (down()) in its file's after hook. */
export function clusterForFile(nodes: number): SimulatedCluster {
  return startSimulatedCluster(nodes);
}

/** A cluster for one test, torn down when it ends. */
export function startCluster(t: TestContext, nodes: number): SimulatedCluster {
  return startSimulatedCluster(nodes, (down) => t.after(down));
}
