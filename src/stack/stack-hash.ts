// A stack is named by the hash of what it is made of: the normalized spec (the
// release, the sorted package list, the architecture, the debootstrap variant)
// and the contents of every file copied in. The spec's name is not part of it,
// so two names for the same contents share one tree. The base (debootstrap's
// part) has a hash of its own, so changing a copied file rebuilds in seconds.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { StackSpec } from "./stack-spec.ts";
import { StackSpecError } from "./stack-spec.ts";

/** Bumped when what a build puts in a stack changes, so old trees are not reused for new specs. */
export const STACK_FORMAT = 1;
export const DEBOOTSTRAP_VARIANT = "minbase";

export interface StackFile {
  from: string;
  to: string;
  mode: number;
  sha256: string;
}

export interface StackIdentity {
  /** Hash of the debootstrap part: release, packages, architecture, variant. */
  base: string;
  /** Hash of the whole stack: the base and the files. */
  hash: string;
  packages: string[];
  files: StackFile[];
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Debian's name for this machine's architecture. */
export function debianArchitecture(): string {
  const names: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    ia32: "i386",
    ppc64: "ppc64el",
    s390x: "s390x",
  };
  return names[process.arch] ?? process.arch;
}

export function stackIdentity(spec: StackSpec): StackIdentity {
  const packages = [...new Set(spec.packages)].sort();
  const base = sha256(
    JSON.stringify({
      format: STACK_FORMAT,
      variant: DEBOOTSTRAP_VARIANT,
      architecture: debianArchitecture(),
      release: spec.release,
      packages,
    }),
  );
  const files = spec.files
    .map((file, index) => {
      let content: Buffer;
      let mode: number;
      try {
        content = readFileSync(file.from);
        mode = file.mode === undefined ? statSync(file.from).mode & 0o777 : Number.parseInt(file.mode, 8);
      } catch (error) {
        throw new StackSpecError(
          `files.${index}.from: ${file.from} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
        );
      }
      return { from: file.from, to: file.to, mode, sha256: sha256(content) };
    })
    .sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const duplicate = files.find((file, index) => index > 0 && files[index - 1]?.to === file.to);
  if (duplicate !== undefined) throw new StackSpecError(`files: two files go to ${duplicate.to}`);
  const hash = sha256(
    JSON.stringify({ base, files: files.map((file) => ({ to: file.to, mode: file.mode, sha256: file.sha256 })) }),
  );
  return { base, hash, packages, files };
}
