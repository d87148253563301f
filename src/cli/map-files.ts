// The work behind `conflux map`, loaded when the command runs (its declaration,
// src/cli/map.ts, loads nothing of the mapping layer, so that help is quick):
// read the mesh files (src/meshfile), call src/mapping, write the result.
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import {
  createOperator,
  formatPointCsv,
  MappingError,
  optionFlag,
  parseTransferSpec,
  TRANSFER_OPTION_NAMES,
  TRANSFER_OPTIONS,
  type TransferOptionName,
} from "../mapping/index.ts";
import { MeshFileError, type PointMesh, readMeshFile, vtuDocument, withDimension } from "../meshfile/index.ts";
import { UsageError } from "./exit-codes.ts";

export type MapOptions = { source: string; target: string; method: string; out: string } & Partial<
  Record<TransferOptionName, string | boolean>
>;

/** Maps the fields of options.source onto options.target's points and writes them to options.out. */
export function mapFiles(options: MapOptions): void {
  const spec = parseSpec(options);
  const source = readMesh(options.source);
  const target = readMesh(options.target);
  if (source.fieldNames.length === 0) {
    throw new UsageError(
      `${options.source}: the source has no fields; add one column per field after the coordinates (CSV) or point data (VTU, VTK, Gmsh $NodeData)`,
    );
  }
  // VTK and Gmsh store x, y, z: both sides are mapped in the higher of the dimensions their points span.
  const dimension = Math.max(source.points.dimension, target.points.dimension) as 1 | 2 | 3;
  const sourcePoints = withDimension(source, dimension);
  const targetPoints = withDimension(target, dimension);
  const operator = withPlaces(() => createOperator(sourcePoints, targetPoints, spec), options, source, target);
  const mapped = source.fields.map((field) => {
    const values = new Float64Array(targetPoints.count);
    operator.apply(field, values);
    return values;
  });
  const text =
    extname(options.out).toLowerCase() === ".vtu"
      ? vtuDocument({ points: targetPoints, fieldNames: source.fieldNames, fields: mapped })
      : formatPointCsv(targetPoints, source.fieldNames, mapped);
  try {
    writeFileSync(options.out, text);
  } catch (error) {
    throw new UsageError(`cannot write ${options.out}: ${(error as Error).message}`);
  }
}

function parseSpec(options: MapOptions) {
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed))
      throw new UsageError(`${flag} must be a number; got "${value}"`);
    return parsed;
  };
  const candidate: Record<string, unknown> = { method: options.method };
  for (const name of TRANSFER_OPTION_NAMES) {
    const given = options[name];
    if (given === undefined) continue;
    const kind = TRANSFER_OPTIONS[name].value;
    candidate[name] = kind === "number" ? number(optionFlag(name), String(given)) : kind === "switch" ? true : given;
  }
  const place = (field: string) =>
    field === "" ? "options" : field === "method" ? "--method" : optionFlag(field as TransferOptionName);
  try {
    return parseTransferSpec(candidate, place);
  } catch (error) {
    if (error instanceof MappingError) throw new UsageError(error.message);
    throw error;
  }
}

/** A mesh file step whose errors are the user's to fix. */
function meshStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof MeshFileError) throw new UsageError(error.message);
    throw error;
  }
}

function readMesh(file: string): PointMesh {
  return meshStep(() => readMeshFile(file));
}

/** Runs setup; a MappingError about "source point 17" also gets that point's file:line, where the file has lines. */
function withPlaces<T>(setup: () => T, options: MapOptions, source: PointMesh, target: PointMesh): T {
  try {
    return setup();
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    const message = error.message.replace(
      /\b(source|target)( mesh)?: point (\d+)|\b(source|target) point (\d+)/g,
      (match, ...groups) => {
        const side = (groups[0] ?? groups[3]) as "source" | "target";
        const index = Number(groups[2] ?? groups[4]);
        const place = (side === "source" ? source : target).pointPlace(index);
        return place === undefined ? match : `${match} (${place})`;
      },
    );
    throw new UsageError(`mapping ${options.source} onto ${options.target}: ${message}`);
  }
}
