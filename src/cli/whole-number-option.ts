import { UsageError } from "./exit-codes.ts";

/** The whole number an option was given, if it is at least `minimum`; a usage error that names the option otherwise. */
export function wholeNumberOption(option: string, text: string, minimum = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    throw new UsageError(`${option} ${text}: give a whole number of at least ${minimum}`);
  return value;
}
