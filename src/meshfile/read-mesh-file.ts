// A mesh file of any kind Conflux reads, chosen by its extension: CSV (x,y[,z]
// and field columns), VTK XML (.vtu, .vtp), legacy VTK (.vtk) or Gmsh (.msh).
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { MappingError, parsePointCsv } from "../mapping/index.ts";
import { readGmsh } from "./gmsh-read.ts";
import { readLegacyVtk } from "./legacy-vtk-read.ts";
import { MeshFileError } from "./mesh-file-error.ts";
import type { PointMesh } from "./point-mesh.ts";
import { readVtu } from "./vtu-read.ts";

export const MESH_FILE_EXTENSIONS = [".csv", ".vtu", ".vtp", ".vtk", ".msh"] as const;

function parseCsvMesh(text: string, file: string): PointMesh {
  const csv = parsePointCsv(text, file);
  return {
    points: csv.points,
    fixedDimension: true,
    fieldNames: csv.fieldNames,
    fields: csv.fields,
    pointPlace: (index) => (csv.lines[index] === undefined ? undefined : `${file}:${csv.lines[index]}`),
  };
}

/** Parses a mesh file's bytes as the format its name's extension says. */
export function parseMeshFile(bytes: Uint8Array, file: string): PointMesh {
  const extension = extname(file).toLowerCase();
  const text = () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  try {
    switch (extension) {
      case ".csv":
        return parseCsvMesh(text(), file);
      case ".vtu":
      case ".vtp":
        return readVtu(bytes, file);
      case ".vtk":
        return readLegacyVtk(text(), file);
      case ".msh":
        return readGmsh(text(), file);
      default:
        throw new MeshFileError(
          `${file}: "${extension || "no extension"}" is not a mesh format read here; name the file ${MESH_FILE_EXTENSIONS.map((known) => `*${known}`).join(", ")}`,
        );
    }
  } catch (error) {
    if (error instanceof MappingError) throw new MeshFileError(error.message);
    throw error;
  }
}

export function readMeshFile(file: string): PointMesh {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new MeshFileError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseMeshFile(bytes, file);
}
