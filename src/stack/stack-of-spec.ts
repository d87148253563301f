// The stack a spec file describes, found by its content hash: where it is (or
// will be) stored, and whether it is stored now. A composition that names a
// stack by its spec file (`stack: ./numpy1.stack.yaml`) runs on exactly that
// content, whatever stack happens to carry the spec's name in the store.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { stackIdentity } from "./stack-hash.ts";
import { loadStackSpec } from "./stack-spec.ts";
import { MANIFEST_FILE, stackDirectory, stacksDirectory } from "./stack-store.ts";

export interface SpecStack {
  name: string;
  hash: string;
  /** The spec file, absolute. */
  source: string;
  rootfs: string;
  /** Whether the store holds it whole (a build stores its manifest last). */
  stored: boolean;
}

/** Throws StackSpecError, naming the file, when the spec cannot be read or is not a stack spec. */
export function stackOfSpec(path: string, directory = stacksDirectory()): SpecStack {
  const loaded = loadStackSpec(path);
  const { hash } = stackIdentity(loaded.spec);
  const stack = stackDirectory(hash, directory);
  return {
    name: loaded.spec.name,
    hash,
    source: loaded.source,
    rootfs: join(stack, "rootfs"),
    stored: existsSync(join(stack, MANIFEST_FILE)),
  };
}
