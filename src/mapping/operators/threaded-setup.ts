// The opening every operator setup that may run on worker threads shares
// (nearest, rbf-pu): the meshes checked, the direction, and the threads with
// the team that runs them (none for one thread).
import { type PointSet, validateTransferMeshes } from "../spatial/point-set.ts";
import type { ThreadTeam } from "../threads/thread-team.ts";
import { checkThreads, operatorThreads } from "./operator-threads.ts";

export interface ThreadedSetup {
  conservative: boolean;
  threads: number;
  team: ThreadTeam | undefined;
}

export function startThreadedSetup(
  source: PointSet,
  target: PointSet,
  options: { conservative?: boolean; threads?: number },
): ThreadedSetup {
  validateTransferMeshes(source, target);
  const conservative = options.conservative === true;
  const threads = checkThreads(options.threads);
  return { conservative, threads, team: operatorThreads(threads) };
}
