// The environment a launcher gives a component (docs/wire-format.md,
// "Component protocol", version 1): one definition of each name, which the
// launcher sets and the SDK reads, as the C and Python clients read them.

/** The run directory the component joins. */
export const RUN_DIRECTORY_VARIABLE = "CONFLUX_RUN_DIR";
/** The component's name, so it can say who it is in its own messages. */
export const COMPONENT_NAME_VARIABLE = "CONFLUX_COMPONENT_NAME";
/** The component's parameters, as a JSON object. */
export const COMPONENT_ARGS_VARIABLE = "CONFLUX_COMPONENT_ARGS";
/** The wait strategy the driver asks components to use, as JSON {kind, spinNs, timeoutNs}. */
export const WAIT_VARIABLE = "CONFLUX_WAIT";
/**
 * How the component learns that its driver has died (docs/wire-format.md,
 * "Channel"): "pid" (watch the driver's pid from the channel's control line) or
 * "enclave" (the enclave ends the component with its driver, and the driver's
 * pid is not visible from inside: a pid namespace, a virtual machine).
 */
export const DRIVER_LIVENESS_VARIABLE = "CONFLUX_DRIVER_LIVENESS";

export type DriverLiveness = "pid" | "enclave";

/** In a VM guest: the registry name of the arena the component's new segments go in (docs/vm.md, "Arena"). */
export const ARENA_VARIABLE = "CONFLUX_ARENA";

/**
 * For a component that reads snapshots (the `to` of an asynchronous coupling): a JSON object from the name it
 * reads each by to the segment's registered name, e.g. {"atoms": "md.snapshot.atoms"}.
 */
export const SNAPSHOTS_VARIABLE = "CONFLUX_SNAPSHOTS";

// ---- ranks (docs/parallel.md, "How ranks join") ---------------------------
// How a rank of a parallel component finds who it is, and the name it joins the
// run under; the C and Python clients read the same variables in the same order.

/** Set by the driver for every component: how many ranks the composition declares (1 when it declares none). */
export const RANKS_VARIABLE = "CONFLUX_RANKS";
/** Set by the driver for a rank it starts itself (`launcher: processes`): the rank, 0 ≤ rank < ranks. */
export const RANK_VARIABLE = "CONFLUX_RANK";

export const MAX_RANKS = 256;

/**
 * Where a rank reads its rank and the launcher's size, first found first: the
 * driver's own, then Open MPI's, MPICH/Hydra's (PMI), Slurm's. The client never
 * calls MPI: it reads what the launcher put in its environment.
 */
export const RANK_SOURCES: readonly { rank: string; size: string }[] = [
  { rank: RANK_VARIABLE, size: RANKS_VARIABLE },
  { rank: "OMPI_COMM_WORLD_RANK", size: "OMPI_COMM_WORLD_SIZE" },
  { rank: "PMI_RANK", size: "PMI_SIZE" },
  { rank: "SLURM_PROCID", size: "SLURM_NTASKS" },
];

/** The character that joins a component's name and its rank; a component name cannot hold it. */
export const RANK_SEPARATOR = "@";

/**
 * The name a rank's channel and segments carry in place of the component's:
 * the component's own when it has one rank (so a serial component is what it
 * always was), else "<component>@<rank>".
 */
export function rankedName(component: string, rank: number, ranks: number): string {
  return ranks > 1 ? `${component}${RANK_SEPARATOR}${rank}` : component;
}

export interface RankIdentity {
  rank: number;
  ranks: number;
}

/**
 * A rank's identity from its environment, or the reason it has none, naming
 * the variables. With CONFLUX_RANKS unset or 1 the launcher's variables are
 * ignored: a serial component inside an allocation (SLURM_PROCID=0 of
 * SLURM_NTASKS=4) is still rank 0 of 1.
 */
export function rankFromEnvironment(env: Readonly<Record<string, string | undefined>>): RankIdentity | string {
  const declaredText = env[RANKS_VARIABLE];
  const declared = declaredText === undefined ? 1 : wholeNumber(declaredText);
  if (declared === undefined || declared < 1 || declared > MAX_RANKS) {
    return `${RANKS_VARIABLE}="${declaredText}" is not a whole number from 1 to ${MAX_RANKS}`;
  }
  if (declared === 1) return { rank: 0, ranks: 1 };
  for (const source of RANK_SOURCES) {
    const rankText = env[source.rank];
    if (rankText === undefined) continue;
    const sizeText = env[source.size];
    const rank = wholeNumber(rankText);
    const size = sizeText === undefined ? undefined : wholeNumber(sizeText);
    if (rank === undefined) return `${source.rank}="${rankText}" is not a whole number`;
    if (size === undefined)
      return `${source.rank} is set but ${source.size} is ${sizeText === undefined ? "not" : `"${sizeText}", not a whole number`}`;
    if (size !== declared) {
      return `the launcher started ${size} ranks (${source.size}=${size}) but the composition declares ranks: ${declared}; make them agree (mpirun -n ${declared}, or ranks: ${size})`;
    }
    if (rank >= size) return `rank ${rank} (${source.rank}) is not below the size ${size}`;
    return { rank, ranks: size };
  }
  return `the composition declares ranks: ${declared} but nothing in the environment says which rank this process is (${RANK_SOURCES.map((source) => source.rank).join(", ")}); start it with an MPI launcher, or with launcher: processes`;
}

function wholeNumber(text: string): number | undefined {
  if (!/^\d{1,9}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/**
 * The exit code of a relay (a component on another node, as the driver's node runs it) that lost its node's
 * agent: no word for longer than the heartbeats allow, or a connection that failed (EX_UNAVAILABLE).
 */
export const NODE_LOST_EXIT = 69;
