// Writes a point set and its fields as a VTK XML unstructured grid (.vtu):
// x, y, z (missing axes are 0), one vertex cell per point so that ParaView
// draws the points, and one Float64 point-data array per field, every array
// zlib-compressed and base64-encoded inline (VTK's "binary" format). The XML
// is built by fast-xml-parser's builder from an element tree.
import { XMLBuilder } from "fast-xml-parser";
import type { PointSet } from "../mapping/index.ts";
import { encodeCompressedBase64 } from "./vtk-binary.ts";

export interface MeshValues {
  readonly points: PointSet;
  readonly fieldNames: readonly string[];
  /** One array per field, one value per point. */
  readonly fields: readonly Float64Array[];
}

/** VTK's cell type of a single point. */
const VTK_VERTEX = 1;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
});

/** An XML document of `root`, with its declaration. */
export function xmlDocument(root: Record<string, unknown>): string {
  return builder.build({ "?xml": { "@version": "1.0" }, ...root }) as string;
}

// Little-endian whatever the host, as the file says (byte_order="LittleEndian").
function littleEndianFloat64(values: ArrayLike<number>): Uint8Array {
  const view = new DataView(new ArrayBuffer(8 * values.length));
  for (let index = 0; index < values.length; index++) view.setFloat64(8 * index, values[index] as number, true);
  return new Uint8Array(view.buffer);
}

function littleEndianInt64(count: number, first: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(8 * count));
  for (let index = 0; index < count; index++) view.setBigInt64(8 * index, BigInt(first + index), true);
  return new Uint8Array(view.buffer);
}

function dataArray(attributes: Record<string, string | number>, bytes: Uint8Array): Record<string, unknown> {
  const element: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) element[`@${name}`] = String(value);
  element["@format"] = "binary";
  element["#text"] = encodeCompressedBase64(bytes);
  return element;
}

/** x, y, z of every point, interleaved, whatever the point set's dimension and layout. */
function xyz(points: PointSet): Float64Array {
  const { dimension, count, layout, coordinates } = points;
  const out = new Float64Array(3 * count);
  for (let point = 0; point < count; point++) {
    for (let axis = 0; axis < dimension; axis++) {
      out[3 * point + axis] = coordinates[layout === "soa" ? axis * count + point : point * dimension + axis] as number;
    }
  }
  return out;
}

export function vtuDocument(mesh: MeshValues): string {
  const count = mesh.points.count;
  const types = new Uint8Array(count).fill(VTK_VERTEX);
  const piece = {
    "@NumberOfPoints": String(count),
    "@NumberOfCells": String(count),
    Points: { DataArray: dataArray({ type: "Float64", NumberOfComponents: 3 }, littleEndianFloat64(xyz(mesh.points))) },
    Cells: {
      DataArray: [
        dataArray({ type: "Int64", Name: "connectivity" }, littleEndianInt64(count, 0)),
        dataArray({ type: "Int64", Name: "offsets" }, littleEndianInt64(count, 1)),
        dataArray({ type: "UInt8", Name: "types" }, types),
      ],
    },
    ...(mesh.fieldNames.length === 0
      ? {}
      : {
          PointData: {
            DataArray: mesh.fieldNames.map((name, index) =>
              dataArray({ type: "Float64", Name: name }, littleEndianFloat64(mesh.fields[index] as Float64Array)),
            ),
          },
        }),
  };
  return xmlDocument({
    VTKFile: {
      "@type": "UnstructuredGrid",
      "@version": "1.0",
      "@byte_order": "LittleEndian",
      "@header_type": "UInt64",
      "@compressor": "vtkZLibDataCompressor",
      UnstructuredGrid: { Piece: piece },
    },
  });
}
