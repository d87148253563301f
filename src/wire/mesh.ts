// A mesh segment's layout (docs/wire-format.md, "Mesh", version 1): point
// coordinates and named fields, with the metadata (dimension, layout, point
// count, field names) in front so that the other side can check it before
// using a byte. This module is the only code that encodes it; shm/shared-mesh.ts
// maps it.
import { cacheLineAligned } from "./cache-line.ts";
import { checkPayloadPreamble, type PayloadPreamble } from "./payload-preamble.ts";

export const MESH_MAGIC = 0x4853454d; // "MESH"
export const MESH_LAYOUT_VERSION = 1;
export const MAX_FIELDS = 16;
export const MAX_FIELD_NAME_BYTES = 32;
export const MAX_POINTS = 1 << 26;

/** Byte offsets of the head mesh and snapshot metadata share (writeSpecHead, readSpecHead). */
export const SpecHeadOffset = {
  magic: 0,
  version: 4,
  dimension: 8,
  layout: 12,
  count: 16,
  fieldCount: 20,
  fieldNames: 64,
} as const;

export const MeshOffset = {
  ...SpecHeadOffset,
  coordinatesOffset: 24,
  fieldsOffset: 28,
  fieldStride: 32,
  coordinates: 64 + MAX_FIELDS * MAX_FIELD_NAME_BYTES,
} as const;

export type MeshLayout = "soa" | "interleaved";
const LAYOUT_CODES: Record<MeshLayout, number> = { soa: 0, interleaved: 1 };

export interface MeshSpec {
  dimension: 1 | 2 | 3;
  count: number;
  layout: MeshLayout;
  fields: readonly string[];
}

export interface MeshGeometry {
  coordinatesOffset: number;
  fieldsOffset: number;
  fieldStride: number;
  payloadBytes: number;
}

/**
 * Where a mesh's points and fields lie when its coordinates start at
 * `coordinatesOffset`: the coordinates, then each field on a cache line of its
 * own; payloadBytes is where the last field ends. A mesh payload and each
 * buffer of a snapshot are laid out so.
 */
export function pointDataGeometry(spec: MeshSpec, coordinatesOffset: number): MeshGeometry {
  const fieldsOffset = cacheLineAligned(coordinatesOffset + spec.count * spec.dimension * 8);
  const fieldStride = cacheLineAligned(spec.count * 8);
  return {
    coordinatesOffset,
    fieldsOffset,
    fieldStride,
    payloadBytes: fieldsOffset + spec.fields.length * fieldStride,
  };
}

export function meshGeometry(spec: MeshSpec): MeshGeometry {
  return pointDataGeometry(spec, MeshOffset.coordinates);
}

/** Refuses a spec this layout cannot hold, naming the problem. */
export function checkMeshSpec(spec: MeshSpec, where: string): void {
  if (spec.dimension !== 1 && spec.dimension !== 2 && spec.dimension !== 3) {
    throw new MeshMetadataError(`${where}: dimension ${spec.dimension} is not 1, 2 or 3`);
  }
  if (spec.layout !== "soa" && spec.layout !== "interleaved") {
    throw new MeshMetadataError(`${where}: layout "${spec.layout}" is not soa or interleaved`);
  }
  // 0 is a rank's empty partition (docs/parallel.md); the driver refuses it for a component of one rank.
  if (!Number.isInteger(spec.count) || spec.count < 0 || spec.count > MAX_POINTS) {
    throw new MeshMetadataError(`${where}: point count ${spec.count} must be a whole number from 0 to ${MAX_POINTS}`);
  }
  if (spec.fields.length < 1 || spec.fields.length > MAX_FIELDS) {
    throw new MeshMetadataError(`${where}: ${spec.fields.length} fields; a mesh shares 1 to ${MAX_FIELDS}`);
  }
  const seen = new Set<string>();
  for (const field of spec.fields) {
    const bytes = new TextEncoder().encode(field).length;
    if (bytes === 0 || bytes > MAX_FIELD_NAME_BYTES) {
      throw new MeshMetadataError(`${where}: field name "${field}" must be 1 to ${MAX_FIELD_NAME_BYTES} bytes`);
    }
    if (seen.has(field)) throw new MeshMetadataError(`${where}: field "${field}" is listed twice`);
    seen.add(field);
  }
}

export class MeshMetadataError extends Error {
  override name = "MeshMetadataError";
}

/** Writes the metadata into a payload (the magic last, so a reader sees all or nothing). */
export function writeMeshMetadata(buffer: ArrayBuffer, payloadOffset: number, spec: MeshSpec): MeshGeometry {
  const geometry = meshGeometry(spec);
  const view = new DataView(buffer, payloadOffset, geometry.payloadBytes);
  writeSpecHead(view, buffer, payloadOffset, spec, MESH_LAYOUT_VERSION);
  view.setUint32(MeshOffset.coordinatesOffset, geometry.coordinatesOffset, true);
  view.setUint32(MeshOffset.fieldsOffset, geometry.fieldsOffset, true);
  view.setUint32(MeshOffset.fieldStride, geometry.fieldStride, true);
  Atomics.store(new Int32Array(buffer, payloadOffset, 1), 0, MESH_MAGIC);
  return geometry;
}

/**
 * The head of mesh or snapshot metadata, which share one shape (version at 4,
 * dimension at 8, layout at 12, count at 16, field count at 20, names from
 * 64): all but the magic, which the caller stores last. A field name takes a
 * 32-byte slot, NUL-padded UTF-8.
 */
export function writeSpecHead(
  view: DataView,
  buffer: ArrayBuffer,
  payloadOffset: number,
  spec: MeshSpec,
  version: number,
): void {
  view.setUint32(SpecHeadOffset.version, version, true);
  view.setUint32(SpecHeadOffset.dimension, spec.dimension, true);
  view.setUint32(SpecHeadOffset.layout, LAYOUT_CODES[spec.layout], true);
  view.setUint32(SpecHeadOffset.count, spec.count, true);
  view.setUint32(SpecHeadOffset.fieldCount, spec.fields.length, true);
  const encoder = new TextEncoder();
  spec.fields.forEach((field, index) => {
    new Uint8Array(
      buffer,
      payloadOffset + SpecHeadOffset.fieldNames + index * MAX_FIELD_NAME_BYTES,
      MAX_FIELD_NAME_BYTES,
    ).set(encoder.encode(field));
  });
}

/** What sets a mesh-shaped layout's preamble apart: mesh and snapshot share its version offset, error and wording. */
export type MeshShapedPreamble = Pick<
  PayloadPreamble,
  "what" | "metadataBytes" | "magic" | "missingReason" | "version"
>;

/** The preamble of a layout whose metadata opens as a mesh's does. */
export function meshShapedPreamble(layout: MeshShapedPreamble): PayloadPreamble {
  return { ...layout, magicDetail: "", versionOffset: SpecHeadOffset.version, error: MeshMetadataError };
}

/**
 * Checks the preamble of mesh or snapshot metadata another process wrote and
 * reads its spec (dimension, count, layout, field names), checked; returns the
 * view the rest of the metadata is read through.
 */
export function readSpecHead(
  buffer: ArrayBuffer,
  payloadOffset: number,
  payloadBytes: number,
  where: string,
  preamble: PayloadPreamble,
): { view: DataView; spec: MeshSpec } {
  checkPayloadPreamble(buffer, payloadOffset, payloadBytes, where, preamble);
  const view = new DataView(buffer, payloadOffset, payloadBytes);
  const layoutCode = view.getUint32(SpecHeadOffset.layout, true);
  const layout = layoutCode === 0 ? "soa" : layoutCode === 1 ? "interleaved" : undefined;
  if (layout === undefined)
    throw new MeshMetadataError(`${where}: layout code ${layoutCode} is not 0 (soa) or 1 (interleaved)`);
  const fieldCount = view.getUint32(SpecHeadOffset.fieldCount, true);
  if (fieldCount < 1 || fieldCount > MAX_FIELDS) {
    throw new MeshMetadataError(`${where}: field count ${fieldCount} is outside 1..${MAX_FIELDS}`);
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const fields: string[] = [];
  for (let index = 0; index < fieldCount; index++) {
    const raw = new Uint8Array(
      buffer,
      payloadOffset + SpecHeadOffset.fieldNames + index * MAX_FIELD_NAME_BYTES,
      MAX_FIELD_NAME_BYTES,
    );
    const end = raw.indexOf(0);
    try {
      fields.push(decoder.decode(raw.subarray(0, end < 0 ? MAX_FIELD_NAME_BYTES : end)));
    } catch {
      throw new MeshMetadataError(`${where}: the name of field ${index} is not valid UTF-8`);
    }
  }
  const spec: MeshSpec = {
    dimension: view.getUint32(SpecHeadOffset.dimension, true) as 1 | 2 | 3,
    count: view.getUint32(SpecHeadOffset.count, true),
    layout,
    fields,
  };
  checkMeshSpec(spec, where);
  return { view, spec };
}

/** Refuses a payload too small for the points and fields its metadata describes (`inWhat` says where they go). */
export function checkPointDataFits(
  spec: MeshSpec,
  neededBytes: number,
  payloadBytes: number,
  where: string,
  inWhat: string,
): void {
  if (neededBytes > payloadBytes) {
    throw new MeshMetadataError(
      `${where}: ${spec.count} points and ${spec.fields.length} fields need ${neededBytes} bytes${inWhat}; the segment has ${payloadBytes}`,
    );
  }
}

const MESH_PREAMBLE = meshShapedPreamble({
  what: "mesh",
  metadataBytes: MeshOffset.coordinates,
  magic: MESH_MAGIC,
  missingReason: "the component did not publish its mesh",
  version: MESH_LAYOUT_VERSION,
});

/** Reads and checks the metadata another process wrote; every inconsistency is an error that names it. */
export function readMeshMetadata(
  buffer: ArrayBuffer,
  payloadOffset: number,
  payloadBytes: number,
  where: string,
): MeshSpec & MeshGeometry {
  const { view, spec } = readSpecHead(buffer, payloadOffset, payloadBytes, where, MESH_PREAMBLE);
  const expected = meshGeometry(spec);
  const stored = {
    coordinatesOffset: view.getUint32(MeshOffset.coordinatesOffset, true),
    fieldsOffset: view.getUint32(MeshOffset.fieldsOffset, true),
    fieldStride: view.getUint32(MeshOffset.fieldStride, true),
  };
  if (
    stored.coordinatesOffset !== expected.coordinatesOffset ||
    stored.fieldsOffset !== expected.fieldsOffset ||
    stored.fieldStride !== expected.fieldStride
  ) {
    throw new MeshMetadataError(
      `${where}: offsets (coordinates ${stored.coordinatesOffset}, fields ${stored.fieldsOffset}, stride ${stored.fieldStride}) disagree with ${spec.count} points in ${spec.dimension}-D (expected ${expected.coordinatesOffset}, ${expected.fieldsOffset}, ${expected.fieldStride})`,
    );
  }
  checkPointDataFits(spec, expected.payloadBytes, payloadBytes, where, "");
  return { ...spec, ...expected };
}
