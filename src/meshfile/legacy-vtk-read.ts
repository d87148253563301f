// Reads the points and point data of a legacy VTK file (.vtk, "# vtk DataFile
// Version 2.0" to 5.1) in ASCII: DATASET UNSTRUCTURED_GRID, POLYDATA or
// STRUCTURED_GRID with POINTS; POINT_DATA's SCALARS, VECTORS, NORMALS and FIELD
// arrays become fields; cells and cell data are skipped. The format has no
// grammar library, so this is a tokenizer over its keywords; every error names
// file:line and the fix.
import { MeshFileError } from "./mesh-file-error.ts";
import { type PointMesh, pointMeshFromXyz } from "./point-mesh.ts";

interface Token {
  text: string;
  line: number;
}

class Tokens {
  private index = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly file: string,
  ) {}

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(what: string): Token {
    const token = this.tokens[this.index++];
    if (token === undefined) {
      const last = this.tokens[this.tokens.length - 1];
      throw new MeshFileError(
        `${this.file}:${last?.line ?? 1}: the file ends where ${what} should follow; the file is cut short: write it again`,
      );
    }
    return token;
  }

  count(what: string): number {
    const token = this.next(what);
    const value = Number(token.text);
    if (!Number.isInteger(value) || value < 0) {
      throw new MeshFileError(
        `${this.file}:${token.line}: "${token.text}" is no count (${what}); write a whole number ≥ 0`,
      );
    }
    return value;
  }

  numbers(count: number, what: string): Float64Array {
    const values = new Float64Array(count);
    for (let index = 0; index < count; index++) {
      const token = this.next(`${count} values of ${what}`);
      const value = Number(token.text);
      if (Number.isNaN(value) && !/^[+-]?nan$/i.test(token.text)) {
        throw new MeshFileError(
          `${this.file}:${token.line}: "${token.text}" in ${what} is not a number; write a decimal number`,
        );
      }
      values[index] = value;
    }
    return values;
  }

  skip(count: number, what: string): void {
    for (let index = 0; index < count; index++) this.next(`${count} values of ${what}`);
  }
}

function tokenize(lines: readonly string[], from: number): Token[] {
  const tokens: Token[] = [];
  for (let index = from; index < lines.length; index++) {
    const line = lines[index] as string;
    for (const text of line.trim().split(/\s+/)) if (text !== "") tokens.push({ text, line: index + 1 });
  }
  return tokens;
}

export function readLegacyVtk(text: string, file: string): PointMesh {
  const lines = text.split(/\r?\n/);
  if (!/^# vtk DataFile Version \d+\.\d+/i.test(lines[0] ?? "")) {
    throw new MeshFileError(
      `${file}:1: a legacy VTK file starts with "# vtk DataFile Version 3.0" (or another version); this is not one`,
    );
  }
  const encoding = (lines[2] ?? "").trim().toUpperCase();
  if (encoding === "BINARY") {
    throw new MeshFileError(
      `${file}:3: binary legacy VTK is not read; save it as ASCII, or as .vtu (ParaView: File › Save Data, .vtu)`,
    );
  }
  if (encoding !== "ASCII") {
    throw new MeshFileError(`${file}:3: the third line must say ASCII or BINARY; it says "${lines[2] ?? ""}"`);
  }
  // METADATA blocks (version 5) run to an empty line; drop them before tokenizing.
  const kept = [...lines];
  for (let index = 3; index < kept.length; index++) {
    if ((kept[index] as string).trim().toUpperCase() !== "METADATA") continue;
    let end = index;
    while (end < kept.length && (kept[end] as string).trim() !== "") kept[end++] = "";
  }
  const tokens = new Tokens(tokenize(kept, 3), file);
  const dataset = tokens.next("DATASET");
  if (dataset.text.toUpperCase() !== "DATASET") {
    throw new MeshFileError(`${file}:${dataset.line}: expected DATASET, found "${dataset.text}"`);
  }
  const kind = tokens.next("the data set's type");
  if (!["UNSTRUCTURED_GRID", "POLYDATA", "STRUCTURED_GRID"].includes(kind.text.toUpperCase())) {
    throw new MeshFileError(
      `${file}:${kind.line}: DATASET ${kind.text} is not read; give an UNSTRUCTURED_GRID, POLYDATA or STRUCTURED_GRID with POINTS`,
    );
  }
  let xyz: Float64Array | undefined;
  let count = 0;
  let pointsLine = 0;
  const fieldNames: string[] = [];
  const fields: Float64Array[] = [];
  /** Tuples the arrays now being read have: points after POINT_DATA, cells after CELL_DATA (skipped). */
  let section: { kind: "point" | "cell"; tuples: number } | undefined;
  const addField = (name: string, values: Float64Array, components: number, line: number) => {
    if (section?.kind !== "point") return;
    for (let component = 0; component < components; component++) {
      const field = components === 1 ? name : `${name}_${component}`;
      if (fieldNames.includes(field)) {
        throw new MeshFileError(`${file}:${line}: point data "${field}" is given twice; give every array its own name`);
      }
      const column = new Float64Array(section.tuples);
      for (let point = 0; point < section.tuples; point++)
        column[point] = values[point * components + component] as number;
      fieldNames.push(field);
      fields.push(column);
    }
  };
  while (!tokens.done) {
    const keyword = tokens.next("a keyword");
    const word = keyword.text.toUpperCase();
    if (word === "POINTS") {
      count = tokens.count("the number of points");
      tokens.next("the points' type");
      pointsLine = keyword.line;
      xyz = tokens.numbers(3 * count, "POINTS");
    } else if (word === "DIMENSIONS") {
      tokens.skip(3, "DIMENSIONS");
    } else if (
      word === "CELLS" ||
      word === "POLYGONS" ||
      word === "LINES" ||
      word === "VERTICES" ||
      word === "TRIANGLE_STRIPS"
    ) {
      const first = tokens.count(`${word}'s first count`);
      const size = tokens.count(`${word}'s second count`);
      if (tokens.peek()?.text.toUpperCase() === "OFFSETS") {
        // Version 5.1: OFFSETS type, `first` values; CONNECTIVITY type, `size` values.
        tokens.next("OFFSETS");
        tokens.next("the offsets' type");
        tokens.skip(first, "OFFSETS");
        tokens.next("CONNECTIVITY");
        tokens.next("the connectivity's type");
        tokens.skip(size, "CONNECTIVITY");
      } else {
        tokens.skip(size, word);
      }
    } else if (word === "CELL_TYPES") {
      tokens.skip(tokens.count("the number of cell types"), "CELL_TYPES");
    } else if (word === "POINT_DATA" || word === "CELL_DATA") {
      const tuples = tokens.count(`the number of ${word} tuples`);
      if (word === "POINT_DATA" && tuples !== count) {
        throw new MeshFileError(
          `${file}:${keyword.line}: POINT_DATA ${tuples} but POINTS ${count} (line ${pointsLine}); give one value per point`,
        );
      }
      section = { kind: word === "POINT_DATA" ? "point" : "cell", tuples };
    } else if (word === "SCALARS") {
      if (section === undefined)
        throw new MeshFileError(
          `${file}:${keyword.line}: SCALARS before POINT_DATA or CELL_DATA; start the section first`,
        );
      const name = tokens.next("the scalars' name").text;
      tokens.next("the scalars' type");
      let components = 1;
      if (/^\d+$/.test(tokens.peek()?.text ?? "")) components = tokens.count("the scalars' components");
      if (tokens.peek()?.text.toUpperCase() === "LOOKUP_TABLE") {
        tokens.next("LOOKUP_TABLE");
        tokens.next("the lookup table's name");
      }
      addField(name, tokens.numbers(components * section.tuples, `SCALARS ${name}`), components, keyword.line);
    } else if (word === "VECTORS" || word === "NORMALS") {
      if (section === undefined)
        throw new MeshFileError(
          `${file}:${keyword.line}: ${word} before POINT_DATA or CELL_DATA; start the section first`,
        );
      const name = tokens.next(`the ${word.toLowerCase()}' name`).text;
      tokens.next(`the ${word.toLowerCase()}' type`);
      addField(name, tokens.numbers(3 * section.tuples, `${word} ${name}`), 3, keyword.line);
    } else if (word === "FIELD") {
      tokens.next("the field data's name");
      const arrays = tokens.count("the number of field arrays");
      for (let array = 0; array < arrays; array++) {
        const nameToken = tokens.next("a field array's name");
        const components = tokens.count(`${nameToken.text}'s components`);
        const tuples = tokens.count(`${nameToken.text}'s tuples`);
        tokens.next(`${nameToken.text}'s type`);
        const values = tokens.numbers(components * tuples, `FIELD array ${nameToken.text}`);
        if (section !== undefined && tuples === section.tuples)
          addField(nameToken.text, values, components, nameToken.line);
      }
    } else if (word === "LOOKUP_TABLE") {
      tokens.next("the lookup table's name");
      tokens.skip(4 * tokens.count("the lookup table's size"), "LOOKUP_TABLE");
    } else {
      throw new MeshFileError(
        `${file}:${keyword.line}: "${keyword.text}" is not a keyword read here (POINTS, CELLS, CELL_TYPES, POINT_DATA, CELL_DATA, SCALARS, VECTORS, NORMALS, FIELD); check the counts before it`,
      );
    }
  }
  if (xyz === undefined) throw new MeshFileError(`${file}: the file has no POINTS section; give the points`);
  return pointMeshFromXyz(xyz, count, fieldNames, fields, file);
}
