// The view of a finished run, from its directory alone: the record's page data (what `conflux report` draws),
// and every mesh's points with the fields it ended with, read from the record's fields/ files. The mesh's
// dimension and layout come from the composition copy beside the record. Each file is checked against the
// size its mesh gives it; one that does not fit is left out with a note, and the rest is shown.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompositionDocument } from "../compose/index.ts";
import type { FieldFile } from "../record/run-record.ts";
import { drawnRecord, reportData } from "../report/index.ts";
import { type MeshPoints, meshPoints } from "./mesh-points.ts";
import { viewSections } from "./view-sections.ts";
import type { ViewState } from "./view-state.ts";

function readDoubles(file: string): Float64Array | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (bytes.byteLength % 8 !== 0) return `${file} holds ${bytes.byteLength} bytes, not a whole number of doubles`;
  const copy = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

function savedMeshes(directory: string, document: CompositionDocument, files: FieldFile[], notes: string[]) {
  const byName = new Map(files.map((file) => [file.name, file.file]));
  const meshes: MeshPoints[] = [];
  for (const [component, spec] of Object.entries(document.components)) {
    for (const [name, mesh] of Object.entries(spec.meshes ?? {})) {
      const key = `${component}.${name}`;
      const coordinatesFile = byName.get(`${key}.coordinates`);
      if (coordinatesFile === undefined) continue;
      const coordinates = readDoubles(join(directory, coordinatesFile));
      if (typeof coordinates === "string") {
        notes.push(`mesh ${key} is not shown: ${coordinates}`);
        continue;
      }
      if (coordinates.length % mesh.dimension !== 0) {
        notes.push(
          `mesh ${key} is not shown: its coordinates hold ${coordinates.length} values, not a multiple of its dimension ${mesh.dimension}`,
        );
        continue;
      }
      const count = coordinates.length / mesh.dimension;
      const fields: [string, Float64Array][] = [];
      for (const field of mesh.fields) {
        const file = byName.get(`${key}.${field}`);
        if (file === undefined) continue;
        const values = readDoubles(join(directory, file));
        if (typeof values === "string") notes.push(`field ${key}.${field} is not shown: ${values}`);
        else if (values.length !== count)
          notes.push(`field ${key}.${field} is not shown: it holds ${values.length} values for ${count} points`);
        else fields.push([field, values]);
      }
      meshes.push(
        meshPoints({ mesh: key, dimension: mesh.dimension, layout: mesh.layout, count, coordinates }, fields),
      );
    }
  }
  return meshes;
}

export async function runDirectoryState(directory: string): Promise<ViewState> {
  const { record, composition, components, drawing } = await drawnRecord(directory);
  const data = reportData(record, components);
  const notes: string[] = [];
  const meshes = composition.present
    ? savedMeshes(directory, composition.document, Array.isArray(record.fields) ? record.fields : [], notes)
    : [];
  if (!composition.present) notes.push(`no mesh is shown: ${composition.absent}`);
  return {
    progress: {
      running: false,
      status: record.status,
      completed: data.overview.completed,
      planned: data.overview.planned,
      unit: data.overview.unit,
      elapsedMs: record.finishedUnixMs - record.startedUnixMs,
      leftMs: null,
    },
    sections: viewSections(data, drawing, true),
    data,
    meshes,
    notes,
  };
}
