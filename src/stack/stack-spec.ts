// A stack spec: the small YAML file a component's root filesystem is built
// from (a Debian release and its packages, then files copied in). Format
// version 1, documented in docs/containers.md.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import * as z from "zod";

export const STACK_SPEC_VERSION = 1;

/** A stack's name, as a composition's `stack:` gives it. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
/** Debian package names (Policy 5.6.1); debootstrap installs the release's version, so none is pinned here. */
const PACKAGE_PATTERN = /^[a-z0-9][a-z0-9+.-]+$/;

const fileSchema = z.strictObject({
  from: z.string().min(1).describe("A file on this machine, relative to the spec."),
  to: z
    .string()
    .regex(/^\/[^\0]*[^/]$/, { error: "an absolute path of a file in the stack, such as /opt/app/run.py" })
    .refine((path) => !path.split("/").includes(".."), { error: "a path without .. in it" })
    .describe("Where the file goes in the stack."),
  mode: z
    .string()
    .regex(/^0?[0-7]{3}$/, { error: 'an octal mode such as "0755"' })
    .optional()
    .describe("File mode; the source file's when absent."),
});

export const stackSpecSchema = z.strictObject({
  version: z.literal(STACK_SPEC_VERSION).default(STACK_SPEC_VERSION),
  name: z.string().regex(NAME_PATTERN, { error: 'a stack name: a letter, then up to 31 letters, digits, "-" or "_"' }),
  description: z.string().optional(),
  release: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: "a Debian release (codename) such as bookworm or trixie" }),
  packages: z
    .array(z.string().regex(PACKAGE_PATTERN, { error: "a Debian package name (the release decides its version)" }))
    .default([]),
  files: z.array(fileSchema).default([]),
});

export type StackSpec = z.output<typeof stackSpecSchema>;

/** A spec read from a file: `files[].from` made absolute. */
export interface LoadedStackSpec {
  spec: StackSpec;
  /** The spec file, absolute. */
  source: string;
}

export class StackSpecError extends Error {}

export function loadStackSpec(path: string): LoadedStackSpec {
  const source = resolve(path);
  let text: string;
  try {
    text = readFileSync(source, "utf8");
  } catch (error) {
    throw new StackSpecError(`${path}: cannot read the stack spec (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  return { spec: parseStackSpec(text, source), source };
}

/**
 * What makes the file at `path` no stack spec, on one line (each problem, "; " between), or undefined when it is
 * one: for a composition that names the spec, which reports it at its own key. A YAML error's code frame, after its
 * blank line, is left out: its first line already gives the spec's line and column.
 */
export function stackSpecProblem(path: string): string | undefined {
  try {
    loadStackSpec(path);
    return undefined;
  } catch (error) {
    if (!(error instanceof StackSpecError)) throw error;
    const [account = ""] = error.message.split("\n\n");
    return account.replace(/:$/, "").split("\n").join("; ");
  }
}

export function parseStackSpec(text: string, source: string): StackSpec {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new StackSpecError(`${source}: not YAML: ${(error as Error).message}`);
  }
  const parsed = stackSpecSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
      return `${source}: ${where}${issue.message}`;
    });
    throw new StackSpecError(problems.join("\n"));
  }
  const directory = dirname(source);
  const spec = parsed.data;
  spec.files = spec.files.map((file) => ({
    ...file,
    from: isAbsolute(file.from) ? file.from : resolve(directory, file.from),
  }));
  return spec;
}
