// A stored stack written as an OCI image that Podman, Skopeo and umoci take
// as it is (conflux stack export): an image layout directory, or the same as a
// tar (an oci-archive, for `podman run oci-archive:FILE`). The image is the one
// a bundle holds of the stack (stack-image.ts: the same layers, config and
// digest, byte for byte on every machine), tagged with the stack's name.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTar } from "../stack/deterministic-tar.ts";
import { MANIFEST_MEDIA_TYPE, stackImage } from "../stack/stack-image.ts";
import { listStacks, type StoredStack, stacksDirectory } from "../stack/stack-store.ts";
import { treeEntries } from "../stack/tree-entries.ts";
import { asBundleError, BundleError } from "./bundle-format.ts";
import { REF_ANNOTATION } from "./image-source.ts";

export interface ExportedStack {
  name: string;
  imageDigest: string;
  /** The layout directory or archive written. */
  path: string;
  format: "OCI image layout" | "oci-archive";
}

/** Writes the stack called `name` to `out`: an oci-archive when `out` ends in .tar, else a layout directory. */
export async function exportStack(name: string, out: string, store = stacksDirectory()): Promise<ExportedStack> {
  const stack = findStack(name, store);
  const archive = out.endsWith(".tar");
  if (!archive && existsSync(out)) {
    throw new BundleError(`${out} exists; give a new directory, or a path ending in .tar for an oci-archive`);
  }
  const layout = archive ? mkdtempSync(join(tmpdir(), "conflux-export-")) : out;
  try {
    const image = await writeLayout(stack, name, layout);
    if (archive) {
      // oci-layout and index.json first, as archives of a layout are usually read; then the blobs.
      const entries = treeEntries(layout);
      const first = (path: string) => (path === "oci-layout" ? 0 : path === "index.json" ? 1 : 2);
      entries.sort((a, b) => first(a.path) - first(b.path));
      await writeTar(out, entries, 2);
    }
    return { name, imageDigest: image, path: out, format: archive ? "oci-archive" : "OCI image layout" };
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    throw error;
  } finally {
    if (archive) rmSync(layout, { recursive: true, force: true });
  }
}

async function writeLayout(stack: StoredStack, name: string, layout: string): Promise<string> {
  mkdirSync(layout, { recursive: true });
  const image = await asBundleError(() => stackImage(stack, join(layout, "blobs", "sha256")));
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MANIFEST_MEDIA_TYPE,
          digest: image.manifestBlob.digest,
          size: image.manifestBlob.bytes,
          annotations: { [REF_ANNOTATION]: name },
        },
      ],
    }),
  );
  return image.imageDigest;
}

function findStack(name: string, store: string): StoredStack {
  const stacks = listStacks(store);
  const found = stacks.find((stack) => stack.names.includes(name));
  if (found === undefined) {
    const known = stacks.flatMap((stack) => stack.names);
    throw new BundleError(
      `no stack called ${name} in ${store}; ${known.length === 0 ? "there are none" : `there are ${known.join(", ")}`} (conflux stack ls)`,
    );
  }
  return found;
}
