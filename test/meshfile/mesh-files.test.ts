// Mesh files on disk: VTU written here and read back, read by meshio (an
// independent reader), files meshio writes (VTU, legacy VTK, Gmsh) read here,
// a raw appended, zlib-compressed VTU as ParaView writes it built byte by byte,
// and malformed files, each refused with the file, the place and the fix.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { deflateSync } from "node:zlib";
import { MeshFileError, type PointMesh, parseMeshFile, readMeshFile, vtuDocument } from "../../src/meshfile/index.ts";
import { MESHIO, MESHIO_PYTHON, needs } from "../support/requirements.ts";

function scratch(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-meshfile-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function python(script: string, ...args: string[]): string {
  const result = spawnSync(MESHIO_PYTHON, ["-c", script, ...args], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

/** Interleaved coordinates of a point mesh, in its own dimension. */
function coordinates(mesh: PointMesh): number[] {
  assert.equal(mesh.points.layout, "interleaved");
  return Array.from(mesh.points.coordinates);
}

const AWKWARD = [1 / 3, -0, 1e-300, -1.7976931348623157e308, 2 ** -1074, Math.PI];

test("a VTU written here reads back bit for bit: 2-D soa, and 3-D over several compressed blocks", () => {
  const count = AWKWARD.length;
  const soa = new Float64Array(2 * count);
  for (let point = 0; point < count; point++) {
    soa[point] = point;
    soa[count + point] = AWKWARD[point] as number;
  }
  const field = Float64Array.from(AWKWARD, (value) => -value);
  const flat = parseMeshFile(
    Buffer.from(
      vtuDocument({
        points: { dimension: 2, count, layout: "soa", coordinates: soa },
        fieldNames: ["T"],
        fields: [field],
      }),
    ),
    "flat.vtu",
  );
  assert.equal(flat.points.dimension, 2);
  assert.deepEqual(coordinates(flat), Array.from({ length: count }, (_, point) => [point, AWKWARD[point]]).flat());
  assert.deepEqual(flat.fieldNames, ["T"]);
  assert.ok(Object.is((flat.fields[0] as Float64Array)[1], 0), "-(-0) is +0");
  assert.deepEqual(Array.from(flat.fields[0] as Float64Array), Array.from(field));

  // 6000 points × 24 bytes: five 32 KiB blocks of coordinates.
  const many = 6000;
  const xyz = Float64Array.from({ length: 3 * many }, (_, index) => Math.sin(index) * 10 ** (index % 7));
  const values = [
    Float64Array.from({ length: many }, (_, index) => index / 7),
    Float64Array.from({ length: many }, (_, index) => -index),
  ];
  const cube = parseMeshFile(
    Buffer.from(
      vtuDocument({
        points: { dimension: 3, count: many, layout: "interleaved", coordinates: xyz },
        fieldNames: ["a", "b"],
        fields: values,
      }),
    ),
    "cube.vtu",
  );
  assert.equal(cube.points.count, many);
  assert.deepEqual(coordinates(cube), Array.from(xyz));
  assert.deepEqual(
    cube.fields.map((column) => Array.from(column)),
    values.map((column) => Array.from(column)),
  );
});

test("meshio reads the VTU written here: points, vertex cells and every field, exactly", needs(MESHIO), (t) => {
  const directory = scratch(t);
  const file = join(directory, "plate.vtu");
  const count = 5;
  const interleaved = Float64Array.from({ length: 2 * count }, (_, index) => (index % 2 === 0 ? index / 3 : -index));
  const temperature = Float64Array.from(AWKWARD.slice(0, count));
  const flux = Float64Array.from({ length: count }, (_, index) => 100 + index / 9);
  writeFileSync(
    file,
    vtuDocument({
      points: { dimension: 2, count, layout: "interleaved", coordinates: interleaved },
      fieldNames: ["temperature", "flux"],
      fields: [temperature, flux],
    }),
  );
  const seen = JSON.parse(
    python(
      `import json, sys, meshio
m = meshio.read(sys.argv[1])
print(json.dumps({"points": m.points.tolist(), "cells": [[c.type, len(c.data)] for c in m.cells],
  "data": {k: [repr(float(x)) for x in v] for k, v in m.point_data.items()}}))`,
      file,
    ),
  ) as { points: number[][]; cells: [string, number][]; data: Record<string, string[]> };
  assert.deepEqual(
    seen.points,
    Array.from({ length: count }, (_, point) => [interleaved[2 * point], interleaved[2 * point + 1], 0]),
  );
  assert.deepEqual(seen.cells, [["vertex", count]]);
  assert.deepEqual(Object.keys(seen.data), ["temperature", "flux"]);
  assert.deepEqual(seen.data.temperature?.map(Number), Array.from(temperature));
  assert.deepEqual(seen.data.flux?.map(Number), Array.from(flux));
});

test(
  "files meshio writes are read here: VTU in every encoding, legacy VTK ASCII 5.1, Gmsh ASCII 4.1 and 2.2",
  needs(MESHIO),
  (t) => {
    const directory = scratch(t);
    python(
      `import sys, numpy as np, meshio
d = sys.argv[1]
points = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0.5]], dtype=float)
mesh = meshio.Mesh(points, [("triangle", np.array([[0, 1, 2], [1, 3, 2]]))],
  point_data={"T": np.array([1.5, -2.0, 0.25, 4e-9]), "v": np.arange(12.0).reshape(4, 3)},
  cell_data={"c": [np.array([7.0, 8.0])]})
meshio.write(d + "/zlib.vtu", mesh)
meshio.write(d + "/plain.vtu", mesh, compression=None)
meshio.write(d + "/ascii.vtu", mesh, binary=False)
meshio.write(d + "/legacy.vtk", mesh, binary=False)
meshio.write(d + "/gmsh41.msh", mesh, file_format="gmsh", binary=False)
meshio.write(d + "/gmsh22.msh", mesh, file_format="gmsh22", binary=False)`,
      directory,
    );
    for (const name of ["zlib.vtu", "plain.vtu", "ascii.vtu", "legacy.vtk", "gmsh41.msh", "gmsh22.msh"]) {
      const mesh = readMeshFile(join(directory, name));
      assert.equal(mesh.points.dimension, 3, name);
      assert.deepEqual(coordinates(mesh), [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0.5], name);
      assert.deepEqual(mesh.fieldNames, ["T", "v_0", "v_1", "v_2"], name);
      assert.deepEqual(mesh.fields[0], Float64Array.from([1.5, -2.0, 0.25, 4e-9]), name);
      assert.deepEqual(mesh.fields[2], Float64Array.from([1, 4, 7, 10]), name);
    }
  },
);

/** A VTU as ParaView writes it by default: raw appended data, zlib-compressed, UInt64 headers. */
function paraviewStyleVtu(xyz: Float64Array, pressure: Float32Array, compressed: boolean): Buffer {
  const block = (data: Uint8Array): Buffer => {
    if (!compressed) {
      const header = Buffer.alloc(8);
      header.writeBigUInt64LE(BigInt(data.byteLength));
      return Buffer.concat([header, data]);
    }
    const deflated = deflateSync(data);
    const header = Buffer.alloc(32);
    header.writeBigUInt64LE(1n, 0);
    header.writeBigUInt64LE(BigInt(data.byteLength), 8);
    header.writeBigUInt64LE(BigInt(data.byteLength), 16);
    header.writeBigUInt64LE(BigInt(deflated.byteLength), 24);
    return Buffer.concat([header, deflated]);
  };
  const points = block(new Uint8Array(xyz.buffer));
  const data = block(new Uint8Array(pressure.buffer));
  const count = xyz.length / 3;
  const xml = `<?xml version="1.0"?>
<VTKFile type="UnstructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt64"${compressed ? ' compressor="vtkZLibDataCompressor"' : ""}>
  <UnstructuredGrid>
    <Piece NumberOfPoints="${count}" NumberOfCells="0">
      <PointData Scalars="p">
        <DataArray type="Float32" Name="p" format="appended" RangeMin="0" RangeMax="1" offset="${points.byteLength}"/>
      </PointData>
      <Points>
        <DataArray type="Float64" Name="Points" NumberOfComponents="3" format="appended" offset="0"/>
      </Points>
      <Cells>
        <DataArray type="Int64" Name="connectivity" format="ascii"></DataArray>
        <DataArray type="Int64" Name="offsets" format="ascii"></DataArray>
        <DataArray type="UInt8" Name="types" format="ascii"></DataArray>
      </Cells>
    </Piece>
  </UnstructuredGrid>
  <AppendedData encoding="raw">
   _`;
  return Buffer.concat([Buffer.from(xml), points, data, Buffer.from("\n  </AppendedData>\n</VTKFile>\n")]);
}

test("a raw appended VTU, compressed or not, as ParaView writes it, is read at its offsets", () => {
  const xyz = Float64Array.from([0, 0, 0, 0.25, 1, 0, 2, -1, 3]);
  const pressure = Float32Array.from([0.5, 1, 0.125]);
  for (const compressed of [true, false]) {
    const mesh = parseMeshFile(paraviewStyleVtu(xyz, pressure, compressed), "paraview.vtu");
    assert.deepEqual(coordinates(mesh), Array.from(xyz));
    assert.deepEqual(mesh.fieldNames, ["p"]);
    assert.deepEqual(Array.from(mesh.fields[0] as Float64Array), [0.5, 1, 0.125]);
  }
});

const GMSH_41 = `$MeshFormat
4.1 0 8
$EndMeshFormat
$Entities
0 0 0 0
$EndEntities
$Nodes
2 3 1 3
0 1 0 1
3
0.5 0 0
1 2 0 2
1
2
0 0 0
1 0 0
$EndNodes
$NodeData
1
"h"
1
0.0
3
0
1
3
1 10
2 20
3 30
$EndNodeData
`;

const LEGACY_VTK = `# vtk DataFile Version 3.0
a line of three points
ASCII
DATASET UNSTRUCTURED_GRID
POINTS 3 double
0 0 0 1 0 0
2 0 0
CELLS 1 4
3 0 1 2
CELL_TYPES 1
4
CELL_DATA 1
SCALARS ignored float 1
LOOKUP_TABLE default
9
POINT_DATA 3
SCALARS u double 1
LOOKUP_TABLE default
0.5 1.5 2.5
FIELD more 1
w 1 3 double
-1 -2 -3
`;

test("a Gmsh 4.1 file lists its nodes in tag order with $NodeData; a legacy VTK file its POINT_DATA, not its CELL_DATA", () => {
  const gmsh = parseMeshFile(Buffer.from(GMSH_41), "line.msh");
  assert.equal(gmsh.points.dimension, 1);
  assert.deepEqual(coordinates(gmsh), [0, 1, 0.5]);
  assert.deepEqual(gmsh.fieldNames, ["h"]);
  assert.deepEqual(Array.from(gmsh.fields[0] as Float64Array), [10, 20, 30]);
  assert.equal(gmsh.pointPlace(2), "line.msh:11");

  const vtk = parseMeshFile(Buffer.from(LEGACY_VTK), "line.vtk");
  assert.equal(vtk.points.dimension, 1);
  assert.deepEqual(coordinates(vtk), [0, 1, 2]);
  assert.deepEqual(vtk.fieldNames, ["u", "w"]);
  assert.deepEqual(
    vtk.fields.map((column) => Array.from(column)),
    [
      [0.5, 1.5, 2.5],
      [-1, -2, -3],
    ],
  );
});

test("a malformed mesh file is refused naming the file, the place and the fix", () => {
  const good = Buffer.from(
    vtuDocument({
      points: { dimension: 1, count: 2, layout: "soa", coordinates: Float64Array.from([0, 1]) },
      fieldNames: ["f"],
      fields: [Float64Array.from([1, 2])],
    }),
  ).toString();
  const cases: [string, string | Buffer, RegExp][] = [
    [
      "cut.vtu",
      good.slice(0, good.length - 40),
      /^cut\.vtu:\d+:\d+: not well-formed XML: .*; fix the file or write it again$/,
    ],
    [
      "kind.vtu",
      good.replace('type="UnstructuredGrid"', 'type="ImageData"'),
      /kind\.vtu: <VTKFile type="ImageData"> is not supported; give an UnstructuredGrid/,
    ],
    [
      "count.vtu",
      good.replace('NumberOfPoints="2"', 'NumberOfPoints="3"'),
      /count\.vtu: <Piece> 1 <Points> <DataArray> holds 6 values, but 3 points of 3 components need 9; give one tuple per point/,
    ],
    [
      "base64.vtu",
      good.replace(/(Name="f" format="binary">)[^<]{8}/, "$1!!!!!!!!"),
      /base64\.vtu: <Piece> 1 <PointData> <DataArray Name="f"> holds characters that are not base64; the file is damaged/,
    ],
    [
      "zlib.vtu",
      good.replace(/(Name="f" format="binary">[^<]{44})[^<]{8}/, "$1AAAAAAAA"),
      /zlib\.vtu: <Piece> 1 <PointData> <DataArray Name="f">: compressed block 1 of 1 is not zlib data/,
    ],
    [
      "lz4.vtu",
      good.replace("vtkZLibDataCompressor", "vtkLZ4DataCompressor"),
      /lz4\.vtu: <VTKFile compressor="vtkLZ4DataCompressor"> is not supported; write the file uncompressed or with zlib/,
    ],
    [
      "ascii.vtu",
      good.replace(/(Name="f") format="binary">[^<]*/, '$1 format="ascii">1 two'),
      /ascii\.vtu: <Piece> 1 <PointData> <DataArray Name="f">: value 2, "two", is not a number/,
    ],
    [
      "short.msh",
      GMSH_41.replace("1 2 0 2\n", "1 2 0 3\n"),
      /short\.msh:1[0-9]: expected x y z, found "\$EndNodes"; check the counts before it/,
    ],
    ["binary.msh", GMSH_41.replace("4.1 0 8", "4.1 1 8"), /binary\.msh:2: the mesh is binary Gmsh; save it as ASCII/],
    [
      "old.msh",
      GMSH_41.replace("4.1 0 8", "3.0 0 8"),
      /old\.msh:2: Gmsh format 3\.0 is not read; save it as format 4\.1 or 2\.2/,
    ],
    [
      "data.msh",
      GMSH_41.replace("3 30\n", "4 30\n"),
      /data\.msh:\d+: \$NodeData "h" has a value for node 4, which \$Nodes does not list/,
    ],
    [
      "word.vtk",
      LEGACY_VTK.replace("1.5 2.5", "1.5 x"),
      /word\.vtk:19: "x" in SCALARS u is not a number; write a decimal number/,
    ],
    [
      "point.vtk",
      LEGACY_VTK.replace("POINT_DATA 3", "POINT_DATA 4"),
      /point\.vtk:16: POINT_DATA 4 but POINTS 3 \(line 5\); give one value per point/,
    ],
    [
      "binary.vtk",
      LEGACY_VTK.replace("ASCII", "BINARY"),
      /binary\.vtk:3: binary legacy VTK is not read; save it as ASCII, or as \.vtu/,
    ],
    ["mesh.obj", "v 0 0 0\n", /mesh\.obj: "\.obj" is not a mesh format read here; name the file \*\.csv, \*\.vtu/],
    ["rows.csv", "x,y,f\n0,0\n", /rows\.csv:2: 2 values, but the header has 3 columns/],
  ];
  for (const [name, content, expected] of cases) {
    assert.throws(
      () => parseMeshFile(Buffer.from(content), name),
      (error: unknown) => {
        assert.ok(error instanceof MeshFileError, `${name}: ${(error as Error).stack}`);
        assert.match(error.message, expected, name);
        return true;
      },
    );
  }
});

test("readMeshFile names a file it cannot read", (t) => {
  const missing = join(scratch(t), "gone.vtu");
  assert.throws(() => readMeshFile(missing), /cannot read .*gone\.vtu: ENOENT/);
  writeFileSync(missing, readFileSync(new URL(import.meta.url)));
  assert.throws(() => readMeshFile(missing), MeshFileError);
});
