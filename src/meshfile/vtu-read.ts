// Reads the points and point data of a VTK XML unstructured grid (.vtu) or
// polygonal data (.vtp) as ParaView, VTK and meshio write them: data arrays in
// ascii, in base64 ("binary") or appended (raw or base64), uncompressed or
// zlib-compressed, in every piece of the file. The XML is parsed by
// fast-xml-parser; only a raw appended section, which is bytes and no XML, is
// cut out first (and read at the offsets the arrays give). Every error names
// the file, the element and the fix.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { MeshFileError } from "./mesh-file-error.ts";
import { type PointMesh, pointMeshFromXyz } from "./point-mesh.ts";
import { decodeBase64Array, decodeRawArray, type HeaderType } from "./vtk-binary.ts";

type Element = Record<string, unknown>;

const POINT_TYPES = ["UnstructuredGrid", "PolyData"];
/** The array types VTK writes: the bytes of one value, and how to read one (little-endian) as a double. */
interface ArrayType {
  size: number;
  read(view: DataView, at: number): number;
}

const ARRAY_TYPES: Record<string, ArrayType> = {
  Int8: { size: 1, read: (view, at) => view.getInt8(at) },
  UInt8: { size: 1, read: (view, at) => view.getUint8(at) },
  Int16: { size: 2, read: (view, at) => view.getInt16(at, true) },
  UInt16: { size: 2, read: (view, at) => view.getUint16(at, true) },
  Int32: { size: 4, read: (view, at) => view.getInt32(at, true) },
  UInt32: { size: 4, read: (view, at) => view.getUint32(at, true) },
  Int64: { size: 8, read: (view, at) => Number(view.getBigInt64(at, true)) },
  UInt64: { size: 8, read: (view, at) => Number(view.getBigUint64(at, true)) },
  Float32: { size: 4, read: (view, at) => view.getFloat32(at, true) },
  Float64: { size: 8, read: (view, at) => view.getFloat64(at, true) },
};
const ARRAY_ELEMENTS = new Set(["Piece", "DataArray"]);

interface Appended {
  /** A raw section's bytes from just after its "_", or a base64 section's text from just after it. */
  raw?: Uint8Array;
  text?: string;
}

interface FileFacts {
  file: string;
  headerType: HeaderType;
  compressed: boolean;
  appended: Appended;
}

function attribute(element: Element, name: string): string | undefined {
  const value = element[`@${name}`];
  return value === undefined ? undefined : String(value);
}

function children(element: Element, name: string): Element[] {
  const value = element[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((child) => (typeof child === "object" ? child : {})) as Element[];
}

/** Splits a raw appended section off the XML: what the parser reads, and the bytes the offsets point into. */
function splitAppended(bytes: Uint8Array, file: string): { xml: string; appended: Appended } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const open = buffer.indexOf("<AppendedData");
  if (open < 0) return { xml: buffer.toString("utf8"), appended: {} };
  const tagEnd = buffer.indexOf(">", open);
  const underscore = tagEnd < 0 ? -1 : buffer.indexOf("_", tagEnd);
  const close = buffer.lastIndexOf("</AppendedData>");
  if (tagEnd < 0 || underscore < 0 || close < underscore) {
    throw new MeshFileError(
      `${file}: <AppendedData> has no "_" that starts its data or no </AppendedData>; the file is cut short or not written by VTK: write it again`,
    );
  }
  const tag = buffer.toString("latin1", open, tagEnd + 1);
  const encoding = /encoding\s*=\s*"([^"]*)"/.exec(tag)?.[1] ?? "raw";
  if (encoding === "base64") {
    return { xml: buffer.toString("utf8"), appended: { text: buffer.toString("latin1", underscore + 1, close) } };
  }
  if (encoding !== "raw") {
    throw new MeshFileError(`${file}: <AppendedData encoding="${encoding}"> is unknown; VTK writes "raw" or "base64"`);
  }
  const xml = `${buffer.toString("utf8", 0, tagEnd + 1)}</AppendedData>${buffer.toString("utf8", close + "</AppendedData>".length)}`;
  return { xml, appended: { raw: bytes.subarray(underscore + 1, close) } };
}

function valuesOf(bytes: Uint8Array, type: string, what: string): Float64Array {
  const { size, read } = ARRAY_TYPES[type] as ArrayType;
  if (bytes.byteLength % size !== 0)
    throw new Error(`${what} holds ${bytes.byteLength} bytes, not a whole number of ${type}`);
  const count = bytes.byteLength / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(count);
  for (let index = 0; index < count; index++) values[index] = read(view, index * size);
  return values;
}

function asciiValues(text: string, what: string): Float64Array {
  const tokens = text.trim() === "" ? [] : text.trim().split(/\s+/);
  const values = new Float64Array(tokens.length);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    const value = Number(token);
    if (Number.isNaN(value) && !/^[+-]?nan$/i.test(token)) {
      throw new Error(`${what}: value ${index + 1}, "${token}", is not a number`);
    }
    values[index] = value;
  }
  return values;
}

/** The values of one DataArray: `count` tuples of its NumberOfComponents. */
function readDataArray(
  array: Element,
  count: number,
  facts: FileFacts,
  place: string,
): { values: Float64Array; components: number } {
  const name = attribute(array, "Name");
  const what = `${place} <DataArray${name === undefined ? "" : ` Name="${name}"`}>`;
  const fail = (message: string, fix: string) => new MeshFileError(`${facts.file}: ${message}; ${fix}`);
  const type = attribute(array, "type") ?? "";
  if (ARRAY_TYPES[type] === undefined) {
    throw fail(`${what} has type="${type}"`, `use one of ${Object.keys(ARRAY_TYPES).join(", ")}`);
  }
  const components = Number(attribute(array, "NumberOfComponents") ?? "1");
  if (!Number.isInteger(components) || components < 1) {
    throw fail(`${what} has NumberOfComponents="${attribute(array, "NumberOfComponents")}"`, "give a whole number ≥ 1");
  }
  const format = attribute(array, "format") ?? "ascii";
  const text = String(array["#text"] ?? "");
  let values: Float64Array;
  try {
    if (format === "ascii") {
      values = asciiValues(text, what);
    } else if (format === "binary") {
      values = valuesOf(decodeBase64Array(text, facts.headerType, facts.compressed, what), type, what);
    } else if (format === "appended") {
      const offset = Number(attribute(array, "offset"));
      if (!Number.isInteger(offset) || offset < 0) throw new Error(`${what} has no offset="…" of a whole number ≥ 0`);
      const { raw, text: appendedText } = facts.appended;
      let bytes: Uint8Array;
      if (raw !== undefined) bytes = decodeRawArray(raw, offset, facts.headerType, facts.compressed, what);
      else if (appendedText !== undefined) {
        const rest = appendedText.slice(offset);
        const end = rest.search(/[^A-Za-z0-9+/=]/);
        bytes = decodeBase64Array(end < 0 ? rest : rest.slice(0, end), facts.headerType, facts.compressed, what);
      } else throw new Error(`${what} is format="appended" but the file has no <AppendedData>`);
      values = valuesOf(bytes, type, what);
    } else {
      throw new Error(`${what} has format="${format}"; VTK writes ascii, binary or appended`);
    }
  } catch (error) {
    if (error instanceof MeshFileError) throw error;
    throw fail((error as Error).message, "the file is damaged or cut short: write it again");
  }
  if (values.length !== count * components) {
    throw fail(
      `${what} holds ${values.length} values, but ${count} points of ${components} component${components === 1 ? "" : "s"} need ${count * components}`,
      "give one tuple per point",
    );
  }
  return { values, components };
}

export function readVtu(bytes: Uint8Array, file: string): PointMesh {
  const { xml, appended } = splitAppended(bytes, file);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new MeshFileError(
      `${file}:${valid.err.line}:${valid.err.col}: not well-formed XML: ${valid.err.msg}; fix the file or write it again`,
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    textNodeName: "#text",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name) => ARRAY_ELEMENTS.has(name),
  });
  const document = parser.parse(xml) as Element;
  const root = document.VTKFile as Element | undefined;
  if (root === undefined || typeof root !== "object") {
    throw new MeshFileError(`${file}: the root element is not <VTKFile>; give a VTK XML file (.vtu)`);
  }
  const kind = attribute(root, "type") ?? "";
  if (!POINT_TYPES.includes(kind)) {
    throw new MeshFileError(
      `${file}: <VTKFile type="${kind}"> is not supported; give an UnstructuredGrid (.vtu) or PolyData (.vtp) file`,
    );
  }
  const byteOrder = attribute(root, "byte_order") ?? "LittleEndian";
  if (byteOrder !== "LittleEndian") {
    throw new MeshFileError(
      `${file}: <VTKFile byte_order="${byteOrder}"> is not supported; write the file little-endian`,
    );
  }
  const headerType = attribute(root, "header_type") ?? "UInt32";
  if (headerType !== "UInt32" && headerType !== "UInt64") {
    throw new MeshFileError(`${file}: <VTKFile header_type="${headerType}"> is unknown; VTK writes UInt32 or UInt64`);
  }
  const compressor = attribute(root, "compressor");
  if (compressor !== undefined && compressor !== "vtkZLibDataCompressor") {
    throw new MeshFileError(
      `${file}: <VTKFile compressor="${compressor}"> is not supported; write the file uncompressed or with zlib (vtkZLibDataCompressor)`,
    );
  }
  const facts: FileFacts = { file, headerType, compressed: compressor !== undefined, appended };
  const pieces = children((children(root, kind)[0] ?? {}) as Element, "Piece");
  if (pieces.length === 0) throw new MeshFileError(`${file}: <${kind}> has no <Piece>; the file holds no points`);

  const coordinates: Float64Array[] = [];
  const fieldValues = new Map<string, Float64Array[]>();
  let fieldOrder: string[] | undefined;
  let total = 0;
  pieces.forEach((piece, index) => {
    const place = `<Piece> ${index + 1}`;
    const count = Number(attribute(piece, "NumberOfPoints"));
    if (!Number.isInteger(count) || count < 0) {
      throw new MeshFileError(
        `${file}: ${place} has NumberOfPoints="${attribute(piece, "NumberOfPoints")}"; give a whole number ≥ 0`,
      );
    }
    const pointArrays = children(children(piece, "Points")[0] ?? {}, "DataArray");
    if (pointArrays.length === 0)
      throw new MeshFileError(`${file}: ${place} has no <Points><DataArray>; the file holds no coordinates`);
    const xyz = readDataArray(pointArrays[0] as Element, count, facts, `${place} <Points>`);
    if (xyz.components !== 3) {
      throw new MeshFileError(
        `${file}: ${place} <Points> has ${xyz.components} components; VTK points have 3 (x, y, z)`,
      );
    }
    coordinates.push(xyz.values);
    const names: string[] = [];
    for (const array of children(children(piece, "PointData")[0] ?? {}, "DataArray")) {
      const name = attribute(array, "Name");
      if (name === undefined || name === "") {
        throw new MeshFileError(`${file}: ${place} <PointData> has a <DataArray> without a Name; name every array`);
      }
      const { values, components } = readDataArray(array, count, facts, `${place} <PointData>`);
      for (let component = 0; component < components; component++) {
        const field = components === 1 ? name : `${name}_${component}`;
        const column = new Float64Array(count);
        for (let point = 0; point < count; point++) column[point] = values[point * components + component] as number;
        names.push(field);
        const list = fieldValues.get(field) ?? [];
        list.push(column);
        fieldValues.set(field, list);
      }
    }
    if (fieldOrder === undefined) fieldOrder = names;
    else if (names.join(",") !== fieldOrder.join(",")) {
      throw new MeshFileError(
        `${file}: ${place} has point data ${names.join(", ") || "(none)"} but <Piece> 1 has ${fieldOrder.join(", ") || "(none)"}; give every piece the same arrays`,
      );
    }
    total += count;
  });
  const xyz = concatenate(coordinates, 3 * total);
  const fieldNames = fieldOrder ?? [];
  const fields = fieldNames.map((name) => concatenate(fieldValues.get(name) as Float64Array[], total));
  return pointMeshFromXyz(xyz, total, fieldNames, fields, file);
}

function concatenate(parts: readonly Float64Array[], length: number): Float64Array {
  if (parts.length === 1) return parts[0] as Float64Array;
  const out = new Float64Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
