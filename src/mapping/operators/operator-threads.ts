// The thread teams of operator setups: one per size, started the first time a
// setup asks for it and reused by every setup after (starting a worker costs
// a few hundred milliseconds: it loads the mapping code). Teams of idle
// workers do not keep the process alive.
import { MappingError } from "../mapping-error.ts";
import { ThreadTeam } from "../threads/thread-team.ts";
import { OPERATOR_TASKS } from "./operator-tasks.ts";

const teams = new Map<number, ThreadTeam>();

/** Checks a `threads` option: a whole number from 1 to 256. */
export function checkThreads(threads: number | undefined, place = "threads"): number {
  const value = threads ?? 1;
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new MappingError(
      `${place} must be a whole number from 1 to 256 (threads of the setup and apply); got ${threads}`,
    );
  }
  return value;
}

/** The team of `threads` threads (the caller's included), or undefined for one thread. */
export function operatorThreads(threads: number | undefined): ThreadTeam | undefined {
  const size = checkThreads(threads);
  if (size === 1) return undefined;
  let team = teams.get(size);
  if (team === undefined) {
    team = ThreadTeam.start(size, new URL("./operator-worker.ts", import.meta.url), OPERATOR_TASKS);
    teams.set(size, team);
  }
  return team;
}

/** Ends every team's workers (they end with the process anyway). */
export async function closeOperatorThreads(): Promise<void> {
  const all = [...teams.values()];
  teams.clear();
  await Promise.all(all.map((team) => team.close()));
}
