// The plain description of a transfer that the coupling driver, the
// composition file and `conflux map` share: { method, radius?, k?, basis?,
// kernel?, pointsPerPatch?, patchOverlap?, conservative? }. The option set is
// defined once: each option's checks here, the methods it applies to and its
// description in transfer-options.ts; the composition spells the names in snake_case
// (points_per_patch) and `conflux map` as flags (--points-per-patch), both
// derived from these names (optionKey, optionFlag). Every error names the
// option the way the caller's user wrote it, and the fix.
import { z } from "zod";
import { KERNEL_NAMES } from "../kernels/radial-kernel.ts";
import { MappingError } from "../mapping-error.ts";
import {
  TRANSFER_METHODS,
  TRANSFER_OPTION_NAMES,
  TRANSFER_OPTIONS,
  type TransferOptionName,
} from "./transfer-options.ts";

/** What each option must be, one schema each. */
export const TRANSFER_OPTION_SCHEMAS = {
  radius: z
    .number({ error: "radius must be a number (a distance in mesh units)" })
    .positive("radius must be > 0")
    .finite("radius must be finite"),
  k: z.number({ error: "k must be a whole number" }).int("k must be a whole number").min(1, "k must be at least 1"),
  basis: z.enum(["linear", "quadratic"], { error: "basis must be linear or quadratic" }),
  kernel: z.enum(KERNEL_NAMES, { error: `kernel must be one of ${KERNEL_NAMES.join(", ")}` }),
  pointsPerPatch: z
    .number({ error: "pointsPerPatch must be a whole number" })
    .int("pointsPerPatch must be a whole number")
    .min(1, "pointsPerPatch must be at least 1"),
  patchOverlap: z
    .number({ error: "patchOverlap must be a number" })
    .min(0, "patchOverlap must be ≥ 0")
    .lt(1, "patchOverlap must be < 1"),
  conservative: z.boolean({ error: "conservative must be true or false" }),
} satisfies Record<TransferOptionName, z.ZodType>;

const optionShape = Object.fromEntries(
  TRANSFER_OPTION_NAMES.map((name) => [name, TRANSFER_OPTION_SCHEMAS[name].optional()]),
) as { [Name in TransferOptionName]: z.ZodOptional<(typeof TRANSFER_OPTION_SCHEMAS)[Name]> };

const specShape = z.strictObject({
  method: z.enum(TRANSFER_METHODS, { error: `method must be one of ${TRANSFER_METHODS.join(", ")}` }),
  ...optionShape,
});

export type TransferSpec = z.infer<typeof specShape>;

/** A problem with how a well-formed spec's options go together, at the option it is about. */
export interface SpecProblem {
  option: TransferOptionName;
  /** The option is missing (not given, but needed). */
  missing: boolean;
  message: string;
}

/**
 * What is wrong with how the options of `spec` go together: an option its
 * method does not take, mls with both radius and k, an RBF kernel without its
 * radius. `spell` names an option as the user writes it (a composition's
 * points_per_patch, the command line's --points-per-patch).
 */
export function transferSpecProblems(
  spec: TransferSpec,
  spell: (option: TransferOptionName) => string = (option) => option,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const takes = TRANSFER_OPTION_NAMES.filter((option) => TRANSFER_OPTIONS[option].methods.includes(spec.method));
  for (const option of TRANSFER_OPTION_NAMES) {
    if (spec[option] === undefined || takes.includes(option)) continue;
    const others = takes.filter((other) => other !== "conservative").map(spell);
    problems.push({
      option,
      missing: false,
      message: `${spell(option)} does not apply to method ${spec.method}${others.length > 0 ? ` (it takes ${others.join(", ")})` : ""}; remove it`,
    });
  }
  if (spec.method === "mls" && spec.radius !== undefined && spec.k !== undefined) {
    problems.push({
      option: "k",
      missing: false,
      message: `mls takes either ${spell("radius")} or ${spell("k")} nearest neighbours, not both; remove one`,
    });
  }
  if ((spec.method === "rbf" || spec.method === "rbf-pu") && spec.kernel !== "tps" && spec.radius === undefined) {
    const kernel = spec.kernel ?? "wendland-c2";
    problems.push({
      option: "radius",
      missing: true,
      message: `${spec.method} with kernel ${kernel} needs ${spell("radius")} (${kernel === "gaussian" ? "its length scale" : "its support radius"} in mesh units, e.g. a few mesh spacings)`,
    });
  }
  return problems;
}

export const transferSpecSchema = specShape.superRefine((spec, context) => {
  for (const problem of transferSpecProblems(spec)) {
    context.addIssue({ code: "custom", path: [problem.option], message: problem.message });
  }
});

/**
 * Validates `input` as a TransferSpec; throws a MappingError listing every
 * problem as `<place>: message`, where `place(field)` names a field the way the
 * caller's user wrote it (default `transfer.radius`; the CLI says `--radius`).
 */
export function parseTransferSpec(
  input: unknown,
  place: (field: string) => string = (field) => (field === "" ? "transfer" : `transfer.${field}`),
): TransferSpec {
  const result = transferSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = place(issue.path.join("."));
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown option${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}; the options are method, ${TRANSFER_OPTION_NAMES.join(", ")}`
        : issue.message;
    return `${path}: ${message}`;
  });
  throw new MappingError(problems.join("\n"));
}
