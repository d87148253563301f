// How a rank of a parallel component finds who it is, and the names it joins
// the run under (docs/parallel.md, "How ranks join"; docs/wire-format.md,
// "Ranks"). One definition, read by the SDK and by the driver, as the C and
// Python clients read the same variables in the same order.

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
