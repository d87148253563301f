/** Documented in `conflux --help` and the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  missingRequirement: 3,
} as const;

/** Bad input from the user: reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
