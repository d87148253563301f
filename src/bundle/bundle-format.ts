// What a bundle (`conflux pack`) is: a tar archive whose first entry is
// manifest.json, listing every other entry with its SHA-256. docs/bundles.md
// describes the same layout; readers refuse any other format or version.

import { StackImageError } from "../stack/stack-image.ts";
import type { StackManifest } from "../stack/stack-store.ts";

export const BUNDLE_FORMAT = "conflux-bundle";
export const BUNDLE_VERSION = 1;
export const MANIFEST_ENTRY = "manifest.json";
/** The composition and every file its components read, at their paths relative to the files' common directory. */
export { APP_DIRECTORY } from "../platform/unpacked-bundles.ts";
/** An OCI image layout holding every stack: blobs/sha256/<digest>, index.json, oci-layout. */
export const OCI_DIRECTORY = "oci";

export type BundleFileRole =
  | "composition"
  | "component file"
  | "client library"
  | "oci blob"
  | "oci layout"
  /** A file of the run record the bundle carries as its reference run (conflux pack --record). */
  | "reference run";
/** Where a bundle keeps its reference run's record, when it carries one. */
export const RECORD_DIRECTORY = "record";

export interface BundleFile {
  /** The entry's path in the archive. */
  path: string;
  sha256: string;
  bytes: number;
  role: BundleFileRole;
  /** The component that reads it, for an app file. */
  component?: string;
}

export interface BundleStack {
  name: string;
  /** The OCI image digest: `sha256:` and the SHA-256 of its image manifest. */
  imageDigest: string;
  /** Layer digests, base first; a layer two stacks share is one blob. */
  layers: string[];
  /** The stack's own manifest (release, packages, installed versions), as `conflux stack build` wrote it. */
  stack: StackManifest;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  conflux: { version: string };
  name: string;
  /** The composition's path in the archive. */
  composition: string;
  stacks: BundleStack[];
  /** Every entry but manifest.json, sorted by path. */
  files: BundleFile[];
  /** The directory of the run record it carries (conflux pack --record), which `conflux repro verify` replays. */
  record?: string;
}

/** A bundle that cannot be read, packed or trusted; the message names the place and the fix. */
export class BundleError extends Error {
  override name = "BundleError";
}

/** A stack without an image (its tree gone) is the bundle's bad input, said in its words. */
export async function asBundleError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StackImageError) throw new BundleError(error.message);
    throw error;
  }
}
