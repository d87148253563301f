// The transfer options as names, descriptions and flags, without their checks
// (src/mapping/operators/transfer-spec.ts holds those): what `conflux map`
// needs to declare its flags, so that its help is printed without loading the
// schema library.
import { KERNEL_NAMES } from "../kernels/radial-kernel.ts";
import type { TransferMethod } from "./transfer-operator.ts";

export const TRANSFER_METHODS = ["nearest", "mls", "rbf", "rbf-pu"] as const satisfies readonly TransferMethod[];

export type TransferOptionName =
  | "radius"
  | "k"
  | "basis"
  | "kernel"
  | "pointsPerPatch"
  | "patchOverlap"
  | "conservative";

export interface TransferOption {
  /** The methods it means something to. */
  methods: readonly TransferMethod[];
  /** What it holds: a number, one of a few names, or on/off. */
  value: "number" | "name" | "switch";
  /** For the person writing it: editors show it, `conflux map --help` prints it. */
  description: string;
}

export const TRANSFER_OPTIONS: Record<TransferOptionName, TransferOption> = {
  radius: {
    methods: ["mls", "rbf", "rbf-pu"],
    value: "number",
    description:
      "mls: neighbour radius; rbf, rbf-pu: kernel support radius (Gaussian: length scale), in mesh units, greater than 0",
  },
  k: {
    methods: ["mls"],
    value: "number",
    description: "mls: number of nearest neighbours (instead of radius), at least 1",
  },
  basis: {
    methods: ["mls"],
    value: "name",
    description: "mls: polynomial basis, linear or quadratic (default linear)",
  },
  kernel: {
    methods: ["rbf", "rbf-pu"],
    value: "name",
    description: `rbf, rbf-pu: radial basis function, ${KERNEL_NAMES.join(", ")} (default wendland-c2)`,
  },
  pointsPerPatch: {
    methods: ["rbf-pu"],
    value: "number",
    description: "rbf-pu: source points per patch, at least 1 (default 50)",
  },
  patchOverlap: {
    methods: ["rbf-pu"],
    value: "number",
    description: "rbf-pu: overlap of neighbouring patches, from 0 to below 1 (default 0.15)",
  },
  conservative: {
    methods: TRANSFER_METHODS,
    value: "switch",
    description:
      "conservative form: preserves the sum of each field (the transpose of target → source) instead of reproducing its values",
  },
};

export const TRANSFER_OPTION_NAMES = Object.keys(TRANSFER_OPTIONS) as TransferOptionName[];

/** "pointsPerPatch" as a composition writes it: "points_per_patch". */
export type OptionKey<Name extends string> = Name extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${OptionKey<Tail>}`
  : Name;

export function optionKey<Name extends TransferOptionName>(name: Name): OptionKey<Name> {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) as OptionKey<Name>;
}

/** "pointsPerPatch" as `conflux map` takes it: "--points-per-patch". */
export function optionFlag(name: TransferOptionName): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
