// What a scaffold is: files to write, relative to the new component's directory, with their modes.

export interface ScaffoldFile {
  /** Relative to the scaffold's directory. */
  path: string;
  text: string;
  /** 0o755 for a program the run starts, 0o644 otherwise. */
  mode: number;
}

export type ScaffoldLanguage = "ts" | "python" | "c";

export const SCAFFOLD_LANGUAGES: readonly ScaffoldLanguage[] = ["ts", "python", "c"];

/**
 * What every scaffold's component computes, said once so that the three languages and their test agree: the
 * component that owns temperature writes x + ½·flux, its partner writes flux = ½·temperature; run serially the pair
 * converges by a factor of 4 each iteration to temperature = 4x/3 and flux = 2x/3.
 */
export const SCAFFOLD_PHYSICS =
  "temperature = x + flux / 2 on one side, flux = temperature / 2 on the other: it settles at temperature = 4x/3, flux = 2x/3";
