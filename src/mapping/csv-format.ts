// Point clouds with fields as CSV text, the format of `conflux map`: a header
// line naming the coordinates (x, then y, then z: 1-D to 3-D) and then one
// column per field, and one line per point. Parsing works on a string (the CLI
// reads the file): every error names file:line (and the column) and the fix.
import { MappingError } from "./mapping-error.ts";
import { type Dimension, type PointSet, pointSetFromMetadata } from "./spatial/point-set.ts";

export interface PointCsv {
  readonly points: PointSet;
  readonly fieldNames: readonly string[];
  /** One array per field, one value per point. */
  readonly fields: readonly Float64Array[];
  /** The line (1-based) each point came from, for messages about a point. */
  readonly lines: Int32Array;
}

const COORDINATE_NAMES = ["x", "y", "z"] as const;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parsePointCsv(text: string, file: string): PointCsv {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  let headerLine = 0;
  while (headerLine < lines.length && (lines[headerLine] as string).trim() === "") headerLine++;
  if (headerLine === lines.length) {
    throw new MappingError(
      `${file}: the file is empty; it needs a header line (x,y[,z] then the field names) and one line per point`,
    );
  }
  const header = (lines[headerLine] as string)
    .replace(/\r$/, "")
    .split(",")
    .map((name) => name.trim());
  let dimension = 0;
  while (
    dimension < 3 &&
    dimension < header.length &&
    (header[dimension] as string).toLowerCase() === COORDINATE_NAMES[dimension]
  ) {
    dimension++;
  }
  if (dimension === 0) {
    throw new MappingError(
      `${file}:${headerLine + 1}: the header must start with the coordinate columns x,y (and z for 3-D), then one column per field; it starts with "${header[0]}"`,
    );
  }
  const columns = header.length;
  for (let column = 0; column < columns; column++) {
    if (header[column] === "") {
      throw new MappingError(
        `${file}:${headerLine + 1}: column ${column + 1} of the header has no name; name every column`,
      );
    }
  }
  const fieldNames = header.slice(dimension);
  const rows: string[][] = [];
  const rowLines: number[] = [];
  for (let index = headerLine + 1; index < lines.length; index++) {
    const line = (lines[index] as string).replace(/\r$/, "");
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (cells.length !== columns) {
      throw new MappingError(
        `${file}:${index + 1}: ${cells.length} values, but the header has ${columns} columns (${header.join(",")}); give every line one value per column`,
      );
    }
    rows.push(cells);
    rowLines.push(index + 1);
  }
  if (rows.length === 0) {
    throw new MappingError(`${file}: the header is there but there are no points; add one line per point`);
  }
  const count = rows.length;
  const coordinates = new Float64Array(dimension * count);
  const fields = fieldNames.map(() => new Float64Array(count));
  for (let point = 0; point < count; point++) {
    const cells = rows[point] as string[];
    for (let column = 0; column < columns; column++) {
      const cell = (cells[column] as string).trim();
      if (!DECIMAL.test(cell)) {
        throw new MappingError(
          `${file}:${rowLines[point]}:${column + 1}: "${cell}" in column ${header[column]} is not a number; write a decimal number such as 0.25 or -1e-3`,
        );
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) {
        throw new MappingError(
          `${file}:${rowLines[point]}:${column + 1}: ${cell} in column ${header[column]} is beyond the range of a double; use a finite value`,
        );
      }
      if (column < dimension) coordinates[point * dimension + column] = value;
      else (fields[column - dimension] as Float64Array)[point] = value;
    }
  }
  const points = pointSetFromMetadata(
    { dimension: dimension as Dimension, count, layout: "interleaved" },
    coordinates,
    file,
  );
  return { points, fieldNames, fields, lines: Int32Array.from(rowLines) };
}

/** CSV text: the points' coordinates, then the fields; numbers in shortest round-trip form. */
export function formatPointCsv(
  points: PointSet,
  fieldNames: readonly string[],
  fields: readonly Float64Array[],
): string {
  const { dimension, count, coordinates, layout } = points;
  const header = [...COORDINATE_NAMES.slice(0, dimension), ...fieldNames].join(",");
  const lines: string[] = [header];
  const cells: string[] = [];
  for (let point = 0; point < count; point++) {
    cells.length = 0;
    for (let axis = 0; axis < dimension; axis++) {
      cells.push(String(coordinates[layout === "soa" ? axis * count + point : point * dimension + axis]));
    }
    for (const field of fields) cells.push(String(field[point]));
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}
