// `conflux pack`: a composition, every file its components read, the client
// libraries they run on and every stack they name, in one archive whose
// manifest holds the SHA-256 of every other entry (bundle-format.ts).
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, sep } from "node:path";
import { type Composition, loadComposition } from "../compose/load.ts";
import { stackSpecOf } from "../compose/paths.ts";
import { PACKAGE_ROOT } from "../platform/package-root.ts";
import { ensureSdkBundle } from "../platform/sdk-bundle.ts";
import { compositionInputs, type InputFile } from "../record/composition-inputs.ts";
import { hashFile } from "../record/file-digest.ts";
import { alteredFiles } from "../record/record-integrity.ts";
import { type RunRecord, readRunRecord } from "../record/run-record.ts";
import { confluxVersion } from "../record/software-versions.ts";
import { type TarEntry, writeTar } from "../stack/deterministic-tar.ts";
import { stackImage } from "../stack/stack-image.ts";
import { stackOfSpec } from "../stack/stack-of-spec.ts";
import { listStacks } from "../stack/stack-store.ts";
import {
  APP_DIRECTORY,
  asBundleError,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleError,
  type BundleFile,
  type BundleManifest,
  type BundleStack,
  MANIFEST_ENTRY,
  OCI_DIRECTORY,
  RECORD_DIRECTORY,
} from "./bundle-format.ts";

export interface PackedBundle {
  file: string;
  manifest: BundleManifest;
  bytes: number;
  sha256: string;
}

export interface PackOptions {
  /** A completed run of this composition whose record the bundle carries, for `conflux repro verify app.cfx`. */
  record?: string;
}

/** Packs the composition `compositionFile` into `out`. */
export async function packBundle(
  compositionFile: string,
  out: string,
  options: PackOptions = {},
): Promise<PackedBundle> {
  const composition = loadComposition(compositionFile);
  // The SDK a TypeScript component imports is packed as built, as the run would build it.
  if (Object.values(composition.components).some((spec) => spec.module !== undefined)) ensureSdkBundle();
  const inputs = packedInputs(composition);
  const sdkDirectory = join(PACKAGE_ROOT, "build") + sep;
  // This conflux's own clients (the one `conflux run` puts on a command's PYTHONPATH, at the package's real path, or
  // one a composition names by the package's path) go under clients/, as the SDK does: the application is the
  // project's files, at their paths relative to each other, and a run from the bundle finds the client first on
  // PYTHONPATH (platform/unpacked-bundles.ts).
  const clientsDirectory = join(PACKAGE_ROOT, "clients");
  const clientsDirectories = [clientsDirectory, realpathSync(clientsDirectory)];
  /** Where an input of this conflux's clients lies in clients/ (python/conflux/__init__.py), or undefined. */
  const ownClient = (input: InputFile): string | undefined => {
    if (input.role !== "client source") return undefined;
    const directory = clientsDirectories.find((candidate) => input.path.startsWith(candidate + sep));
    return directory === undefined ? undefined : relative(directory, input.path);
  };
  const appInputs = inputs.filter((input) => !input.path.startsWith(sdkDirectory) && ownClient(input) === undefined);
  const root = commonDirectory(appInputs.map((input) => input.path));
  const files: BundleFile[] = [];
  const entries: TarEntry[] = [];
  const add = (input: InputFile, path: string, role: BundleFile["role"]) => {
    if (input.sha256 === undefined || input.bytes === undefined) {
      throw new BundleError(
        `${input.path} (${input.role} of ${input.component ?? "the composition"}) cannot be read: ${input.error ?? "unknown error"}; make it readable, or fix the composition`,
      );
    }
    const mode = (statSync(input.path).mode & 0o111) === 0 ? 0o644 : 0o755;
    entries.push({ kind: "file", path, mode, bytes: input.bytes, from: input.path });
    files.push({
      path,
      sha256: input.sha256,
      bytes: input.bytes,
      role,
      ...(input.component === undefined ? {} : { component: input.component }),
    });
  };
  for (const input of inputs) {
    if (input.path.startsWith(sdkDirectory)) {
      add(input, `clients/typescript/${basename(input.path)}`, "client library");
    } else if (ownClient(input) !== undefined) {
      add(input, `clients/${ownClient(input)}`, "client library");
    } else {
      const role =
        input.role === "composition"
          ? "composition"
          : input.role === "client source"
            ? "client library"
            : "component file";
      add(input, `${APP_DIRECTORY}/${relative(root, input.path)}`, role);
    }
  }
  const staging = mkdtempSync(join(tmpdir(), "conflux-pack-"));
  try {
    const stacks = await packStacks(composition, join(staging, "blobs"), entries, files);
    const layout = Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: stacks.map((stack) => ({
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: stack.imageDigest,
          size: stack.manifestBytes,
          annotations: { "org.opencontainers.image.ref.name": stack.name },
        })),
      }),
    );
    if (stacks.length > 0) {
      for (const [name, data] of [
        ["oci-layout", layout],
        ["index.json", index],
      ] as const) {
        const path = `${OCI_DIRECTORY}/${name}`;
        entries.push({ kind: "data", path, mode: 0o644, data });
        files.push({ path, sha256: sha256(data), bytes: data.length, role: "oci layout" });
      }
    }
    if (options.record !== undefined) packRecord(options.record, composition, entries, files);
    const compositionPath = `${APP_DIRECTORY}/${relative(root, composition.source)}`;
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      conflux: { version: confluxVersion().version },
      name: composition.name,
      composition: compositionPath,
      stacks: stacks.map(({ manifestBytes: _, ...stack }) => stack),
      files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      ...(options.record === undefined ? {} : { record: RECORD_DIRECTORY }),
    };
    const manifestData = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    entries.unshift({ kind: "data", path: MANIFEST_ENTRY, mode: 0o644, data: manifestData });
    const partial = `${out}.partial-${process.pid}`;
    try {
      await writeTar(partial, entries, 1);
      renameSync(partial, out);
    } finally {
      rmSync(partial, { force: true });
    }
    const hashed = hashFile(out);
    return { file: out, manifest, bytes: hashed.bytes ?? 0, sha256: hashed.sha256 ?? "" };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The run's inputs, but not programs found on PATH: those belong to the host or the stack, not the application. */
function packedInputs(composition: Composition): InputFile[] {
  const inputs = compositionInputs(composition, { ...hashFile(composition.source) });
  const onPath = new Set<string>();
  for (const [component, spec] of Object.entries(composition.components)) {
    if (spec.enclave.kind === "vm") {
      throw new BundleError(
        `component ${component} runs in a VM enclave: bundles do not carry VM images yet; run it in a container enclave, or convey the composition without packing`,
      );
    }
    const program = spec.command?.[0];
    if (program !== undefined && !program.includes("/")) onPath.add(component);
  }
  // A container's program may be its stack's (/usr/bin/python3 of the stack, not of this host): the stack carries it.
  const inStack = (component: string) => {
    const enclave = composition.components[component]?.enclave;
    return enclave?.kind === "container" && enclave.container?.stack !== undefined;
  };
  return inputs.filter(
    (input) =>
      !(
        input.role === "program" &&
        input.component !== undefined &&
        (onPath.has(input.component) || (input.sha256 === undefined && inStack(input.component)))
      ),
  );
}

async function packStacks(
  composition: Composition,
  blobs: string,
  entries: TarEntry[],
  files: BundleFile[],
): Promise<(BundleStack & { manifestBytes: number })[]> {
  const names = new Set<string>();
  /** Stacks named by their spec files: found by the spec's content hash, whatever name the store gives it. */
  const byHash = new Map<string, string>();
  for (const spec of Object.values(composition.components)) {
    const stack = spec.enclave.kind === "container" ? spec.enclave.container?.stack : undefined;
    if (stack === undefined) continue;
    if (stackSpecOf(spec) === undefined) names.add(stack);
    else {
      const described = stackOfSpec(stack);
      names.add(described.name);
      byHash.set(described.name, described.hash);
    }
  }
  if (names.size === 0) return [];
  const stored = listStacks();
  const images: (BundleStack & { manifestBytes: number })[] = [];
  for (const name of [...names].sort()) {
    const hash = byHash.get(name);
    const stack = stored.find((candidate) =>
      hash === undefined ? candidate.names.includes(name) : candidate.manifest.hash === hash,
    );
    if (stack === undefined) {
      throw new BundleError(
        `stack ${name} (named in ${composition.source}) is not built here; build it with \`conflux stack build <spec>\` (the spec named ${name}) and pack again`,
      );
    }
    const { manifestBlob, ...image } = await asBundleError(() => stackImage(stack, blobs));
    images.push({ ...image, manifestBytes: manifestBlob.bytes });
  }
  for (const hex of readdirSync(blobs)
    .filter((name) => /^[0-9a-f]{64}$/.test(name))
    .sort()) {
    const path = `${OCI_DIRECTORY}/blobs/sha256/${hex}`;
    const bytes = statSync(join(blobs, hex)).size;
    entries.push({ kind: "file", path, mode: 0o644, bytes, from: join(blobs, hex) });
    files.push({ path, sha256: hex, bytes, role: "oci blob" });
  }
  return images;
}

function commonDirectory(paths: string[]): string {
  let common = dirname(paths[0] ?? "/");
  for (const path of paths) {
    while (common !== dirname(common) && !(path === common || path.startsWith(common + sep))) common = dirname(common);
  }
  return common;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Adds the record at `directory` as the bundle's reference run: a completed run of this very composition
 * (the same bytes) whose files still match their hashes; every file of it, under record/.
 */
function packRecord(directory: string, composition: Composition, entries: TarEntry[], files: BundleFile[]): void {
  let record: RunRecord;
  try {
    record = readRunRecord(directory);
  } catch (error) {
    throw new BundleError(`--record ${directory}: ${(error as Error).message}`);
  }
  if (record.status !== "completed") {
    throw new BundleError(`--record ${directory}: the run ${record.status}; carry a completed run`);
  }
  const composed = hashFile(composition.source).sha256;
  if (record.composition.sha256 !== composed) {
    throw new BundleError(
      `--record ${directory}: the run is of ${record.composition.file} as it was then (sha256 ${record.composition.sha256.slice(0, 12)}), not of ${composition.source} as it is (${composed?.slice(0, 12)}); run it again and carry that record`,
    );
  }
  const altered = alteredFiles(directory, record);
  if (altered.length > 0) {
    throw new BundleError(
      `--record ${directory}: ${altered.map((file) => `${file.file} (${file.reason})`).join(", ")}; carry an unaltered record`,
    );
  }
  const walk = (relativeDirectory: string) => {
    for (const name of readdirSync(join(directory, relativeDirectory)).sort()) {
      const path = relativeDirectory === "" ? name : `${relativeDirectory}/${name}`;
      const full = join(directory, path);
      const status = statSync(full);
      if (status.isDirectory()) walk(path);
      if (!status.isFile()) continue;
      const hashed = hashFile(full);
      const inBundle = `${RECORD_DIRECTORY}/${path}`;
      entries.push({ kind: "file", path: inBundle, mode: 0o644, bytes: status.size, from: full });
      files.push({ path: inBundle, sha256: hashed.sha256 ?? "", bytes: status.size, role: "reference run" });
    }
  };
  walk("");
}
