// A container's stack by content, for the run record: its hash and, when it
// came from a bundle, its OCI image digest, both read from the manifest that
// sits beside the stack's root filesystem (<stack>/stack.json, which the stack
// store writes; this backend reads the file, not the store's code).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { EnclaveDescription } from "../environment-description.ts";

export function stackIdentity(stack: string | undefined, rootfs: string | undefined): EnclaveDescription["software"] {
  if (stack === undefined || rootfs === undefined) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(rootfs), "stack.json"), "utf8")) as {
      hash?: unknown;
      imageDigest?: unknown;
    };
    return {
      kind: "stack",
      name: stack,
      ...(typeof manifest.hash === "string" ? { sha256: manifest.hash } : {}),
      ...(typeof manifest.imageDigest === "string" ? { imageDigest: manifest.imageDigest } : {}),
    };
  } catch {
    return { kind: "stack", name: stack };
  }
}
