// What a rank reads from its launcher's environment (docs/parallel.md, "How
// ranks join"), as one table that every client must agree on: the TypeScript
// SDK's rankFromEnvironment (test/wire/rank-environment.test.ts) and the C and
// Python clients' through real programs (test/clients/rank-environment.test.ts).
// Each pair of variables a launcher sets, CONFLUX_RANKS unset or 1 ignoring
// them, which pair wins when several are set, and each refusal by its words.

export interface RankCase {
  name: string;
  /** The whole of the rank-related environment: every variable the readers look at that is not here is unset. */
  env: Record<string, string>;
  /** [rank, ranks], or the refusal's message (the clients word it alike). */
  expected: readonly [number, number] | RegExp;
}

export const RANK_CASES: readonly RankCase[] = [
  {
    name: "the driver's own pair (launcher: processes)",
    env: { CONFLUX_RANKS: "3", CONFLUX_RANK: "2" },
    expected: [2, 3],
  },
  {
    name: "Open MPI's mpirun",
    env: { CONFLUX_RANKS: "3", OMPI_COMM_WORLD_RANK: "1", OMPI_COMM_WORLD_SIZE: "3" },
    expected: [1, 3],
  },
  {
    name: "MPICH's Hydra (PMI_RANK, PMI_SIZE)",
    env: { CONFLUX_RANKS: "4", PMI_RANK: "3", PMI_SIZE: "4" },
    expected: [3, 4],
  },
  {
    name: "Slurm's srun (SLURM_PROCID, SLURM_NTASKS)",
    env: { CONFLUX_RANKS: "2", SLURM_PROCID: "1", SLURM_NTASKS: "2" },
    expected: [1, 2],
  },
  {
    // srun with PMI sets both pairs; the first in the documented order decides, so the ranks cannot disagree.
    name: "PMI before Slurm when both are set",
    env: { CONFLUX_RANKS: "2", PMI_RANK: "0", PMI_SIZE: "2", SLURM_PROCID: "1", SLURM_NTASKS: "2" },
    expected: [0, 2],
  },
  {
    name: "Open MPI before PMI when both are set",
    env: { CONFLUX_RANKS: "2", OMPI_COMM_WORLD_RANK: "1", OMPI_COMM_WORLD_SIZE: "2", PMI_RANK: "0", PMI_SIZE: "2" },
    expected: [1, 2],
  },
  {
    name: "whole numbers with blanks around them",
    env: { CONFLUX_RANKS: " 2", SLURM_PROCID: "1 ", SLURM_NTASKS: "\t2" },
    expected: [1, 2],
  },
  {
    name: "CONFLUX_RANKS=1 ignores Slurm's variables (a serial component inside an allocation)",
    env: { CONFLUX_RANKS: "1", SLURM_PROCID: "3", SLURM_NTASKS: "4" },
    expected: [0, 1],
  },
  {
    name: "CONFLUX_RANKS=1 ignores PMI's variables",
    env: { CONFLUX_RANKS: "1", PMI_RANK: "2", PMI_SIZE: "4" },
    expected: [0, 1],
  },
  {
    name: "CONFLUX_RANKS=1 ignores Open MPI's variables, and a rank variable that is not a number",
    env: { CONFLUX_RANKS: "1", OMPI_COMM_WORLD_RANK: "x", OMPI_COMM_WORLD_SIZE: "2" },
    expected: [0, 1],
  },
  {
    name: "CONFLUX_RANKS unset is 1: the launcher's variables are ignored",
    env: { PMI_RANK: "1", PMI_SIZE: "2", SLURM_PROCID: "1", SLURM_NTASKS: "2" },
    expected: [0, 1],
  },
  {
    name: "PMI_SIZE other than CONFLUX_RANKS",
    env: { CONFLUX_RANKS: "3", PMI_RANK: "0", PMI_SIZE: "4" },
    expected:
      /^the launcher started 4 ranks \(PMI_SIZE=4\) but the composition declares ranks: 3; make them agree \(mpirun -n 3, or ranks: 4\)$/,
  },
  {
    name: "SLURM_NTASKS other than CONFLUX_RANKS",
    env: { CONFLUX_RANKS: "2", SLURM_PROCID: "0", SLURM_NTASKS: "8" },
    expected:
      /^the launcher started 8 ranks \(SLURM_NTASKS=8\) but the composition declares ranks: 2; make them agree \(mpirun -n 2, or ranks: 8\)$/,
  },
  {
    name: "PMI_RANK not below PMI_SIZE",
    env: { CONFLUX_RANKS: "2", PMI_RANK: "2", PMI_SIZE: "2" },
    expected: /^rank 2 \(PMI_RANK\) is not below the size 2$/,
  },
  {
    name: "SLURM_PROCID not below SLURM_NTASKS",
    env: { CONFLUX_RANKS: "3", SLURM_PROCID: "3", SLURM_NTASKS: "3" },
    expected: /^rank 3 \(SLURM_PROCID\) is not below the size 3$/,
  },
  {
    name: "no rank variable at all",
    env: { CONFLUX_RANKS: "2" },
    expected:
      /^the composition declares ranks: 2 but nothing in the environment says which rank this process is \(CONFLUX_RANK, OMPI_COMM_WORLD_RANK, PMI_RANK, SLURM_PROCID\); start it with an MPI launcher, or with launcher: processes$/,
  },
  {
    name: "sizes without their ranks are no rank variable",
    env: { CONFLUX_RANKS: "2", PMI_SIZE: "2", SLURM_NTASKS: "2" },
    expected: /^the composition declares ranks: 2 but nothing in the environment says which rank this process is/,
  },
  {
    name: "PMI_RANK without PMI_SIZE",
    env: { CONFLUX_RANKS: "2", PMI_RANK: "1" },
    expected: /^PMI_RANK is set but PMI_SIZE is not$/,
  },
  {
    name: "SLURM_NTASKS that is not a whole number",
    env: { CONFLUX_RANKS: "2", SLURM_PROCID: "1", SLURM_NTASKS: "2x" },
    expected: /^SLURM_PROCID is set but SLURM_NTASKS is "2x", not a whole number$/,
  },
  {
    name: "SLURM_PROCID that is not a whole number",
    env: { CONFLUX_RANKS: "2", SLURM_PROCID: "-1", SLURM_NTASKS: "2" },
    expected: /^SLURM_PROCID="-1" is not a whole number$/,
  },
  {
    name: "CONFLUX_RANKS out of range",
    env: { CONFLUX_RANKS: "0", PMI_RANK: "0", PMI_SIZE: "1" },
    expected: /^CONFLUX_RANKS="0" is not a whole number from 1 to 256$/,
  },
];

/** Every variable a rank reader looks at: a case's environment replaces all of them, so the host's own cannot leak in. */
export const RANK_VARIABLES = [
  "CONFLUX_RANKS",
  "CONFLUX_RANK",
  "OMPI_COMM_WORLD_RANK",
  "OMPI_COMM_WORLD_SIZE",
  "PMI_RANK",
  "PMI_SIZE",
  "SLURM_PROCID",
  "SLURM_NTASKS",
];
