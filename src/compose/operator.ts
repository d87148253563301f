// A transfer's operator as a composition writes it: the option set of
// `conflux map`, defined once in src/mapping (the checks, the methods each
// option applies to, the descriptions editors show), spelt in snake_case
// (points_per_patch). Its checks are the ones the run makes when it builds the
// operator, so `conflux validate` reports, at its line, what `conflux run` would.
import * as z from "zod";
import {
  type OptionKey,
  optionKey,
  TRANSFER_METHODS,
  TRANSFER_OPTION_NAMES,
  TRANSFER_OPTION_SCHEMAS,
  TRANSFER_OPTIONS,
  type TransferOptionName,
  type TransferSpec,
  transferSpecProblems,
} from "../mapping/index.ts";
import type { DataPath, Finding } from "./positions.ts";

type FileOptions = {
  [Name in TransferOptionName as OptionKey<Name>]: z.ZodOptional<(typeof TRANSFER_OPTION_SCHEMAS)[Name]>;
};

const fileOptions = Object.fromEntries(
  TRANSFER_OPTION_NAMES.map((name) => [
    optionKey(name),
    TRANSFER_OPTION_SCHEMAS[name].optional().describe(TRANSFER_OPTIONS[name].description),
  ]),
) as FileOptions;

export const operatorSchema = z
  .strictObject({
    method: z
      .enum(TRANSFER_METHODS)
      .describe(
        "nearest neighbour, mls (moving least squares), rbf (global radial basis functions) or rbf-pu (RBF partition of unity).",
      ),
    ...fileOptions,
    conservative: TRANSFER_OPTION_SCHEMAS.conservative
      .default(false)
      .describe(TRANSFER_OPTIONS.conservative.description),
  })
  .describe("How values are carried from one mesh onto the other (the options of `conflux map`).");

export type OperatorSpec = z.output<typeof operatorSchema>;

/** The mapping layer's spec of a composition's operator. */
export function transferSpec(operator: OperatorSpec): TransferSpec {
  const spec: Record<string, unknown> = { method: operator.method };
  for (const name of TRANSFER_OPTION_NAMES) {
    const value = operator[optionKey(name)];
    if (value !== undefined) spec[name] = value;
  }
  return spec as TransferSpec;
}

/** What the run would refuse in how the operator's options go together, each at its key. */
export function operatorFindings(operator: OperatorSpec, path: DataPath): Finding[] {
  return transferSpecProblems(transferSpec(operator), optionKey).map((problem) => {
    const key = optionKey(problem.option);
    const methods = TRANSFER_OPTIONS[problem.option].methods;
    const elsewhere = !problem.missing && !methods.includes(operator.method);
    return {
      path: [...path, key],
      at: problem.missing ? "missing" : "key",
      message: problem.message,
      ...(elsewhere ? { hint: `Or set method to ${methods.join(" or ")}.` } : {}),
    };
  });
}
