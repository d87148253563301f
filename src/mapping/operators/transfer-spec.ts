// The plain description of a transfer that the coupling driver, the
// composition file and `conflux map` share: { method, radius?, k?, basis?,
// kernel?, pointsPerPatch?, patchOverlap?, conservative? }. The schema checks
// each field and which fields make sense for which method, and every error
// names the field and the fix.
import { z } from "zod";
import { KERNEL_NAMES } from "../kernels/radial-kernel.ts";
import { MappingError } from "../mapping-error.ts";

export const TRANSFER_METHODS = ["nearest", "mls", "rbf", "rbf-pu"] as const;

const OPTIONS_BY_METHOD: Record<(typeof TRANSFER_METHODS)[number], readonly string[]> = {
  nearest: [],
  mls: ["radius", "k", "basis"],
  rbf: ["radius", "kernel"],
  "rbf-pu": ["radius", "kernel", "pointsPerPatch", "patchOverlap"],
};

export const transferSpecSchema = z
  .strictObject({
    method: z.enum(TRANSFER_METHODS, { error: `method must be one of ${TRANSFER_METHODS.join(", ")}` }),
    radius: z
      .number({ error: "radius must be a number (a distance in mesh units)" })
      .positive("radius must be > 0")
      .finite("radius must be finite")
      .optional(),
    k: z
      .number({ error: "k must be a whole number" })
      .int("k must be a whole number")
      .min(1, "k must be at least 1")
      .optional(),
    basis: z.enum(["linear", "quadratic"], { error: "basis must be linear or quadratic" }).optional(),
    kernel: z.enum(KERNEL_NAMES, { error: `kernel must be one of ${KERNEL_NAMES.join(", ")}` }).optional(),
    pointsPerPatch: z
      .number({ error: "pointsPerPatch must be a whole number" })
      .int("pointsPerPatch must be a whole number")
      .min(1, "pointsPerPatch must be at least 1")
      .optional(),
    patchOverlap: z
      .number({ error: "patchOverlap must be a number" })
      .min(0, "patchOverlap must be ≥ 0")
      .lt(1, "patchOverlap must be < 1")
      .optional(),
    conservative: z.boolean({ error: "conservative must be true or false" }).optional(),
  })
  .superRefine((spec, context) => {
    const allowed = OPTIONS_BY_METHOD[spec.method];
    for (const option of ["radius", "k", "basis", "kernel", "pointsPerPatch", "patchOverlap"] as const) {
      if (spec[option] !== undefined && !allowed.includes(option)) {
        context.addIssue({
          code: "custom",
          path: [option],
          message: `${option} does not apply to method ${spec.method}${allowed.length > 0 ? ` (it takes ${allowed.join(", ")})` : ""}; remove it`,
        });
      }
    }
    if (spec.method === "mls" && spec.radius !== undefined && spec.k !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["k"],
        message: "mls takes either radius or k nearest neighbours, not both; remove one",
      });
    }
    if ((spec.method === "rbf" || spec.method === "rbf-pu") && spec.kernel !== "tps" && spec.radius === undefined) {
      const kernel = spec.kernel ?? "wendland-c2";
      context.addIssue({
        code: "custom",
        path: ["radius"],
        message: `${spec.method} with kernel ${kernel} needs radius (${kernel === "gaussian" ? "its length scale" : "its support radius"} in mesh units, e.g. a few mesh spacings)`,
      });
    }
  });

export type TransferSpec = z.infer<typeof transferSpecSchema>;

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
        ? `unknown option${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}; the options are method, radius, k, basis, kernel, pointsPerPatch, patchOverlap, conservative`
        : issue.message;
    return `${path}: ${message}`;
  });
  throw new MappingError(problems.join("\n"));
}
