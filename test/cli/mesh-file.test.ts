// A component's mesh whose points come from a file (meshes.NAME.file) through
// `conflux run`: two components in processes that fill their coordinates with
// nonsense; the driver builds the transfer on the files' points and writes
// them into each component's mesh before its first step. The source computes
// x + 2y + 3z from the coordinates it reads, the target's points are the
// source's in another order and format, so the nearest transfer must deliver
// exactly x + 2y + 3z at each target point of its file. A mesh file that
// disagrees with its declaration is refused before anything starts, by key.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readRunRecord } from "../../src/record/run-record.ts";
import { runToEnd, startCli } from "../support/child-process.ts";
import { scratchDirectory } from "./time-pair.ts";

const COMPONENT = fileURLToPath(new URL("./fixtures/given-points.ts", import.meta.url));
const COUNT = 40;

/** A saved field: little-endian doubles (copied: a read Buffer may sit unaligned in a shared pool). */
function doubles(file: string): number[] {
  return Array.from(new Float64Array(new Uint8Array(readFileSync(file)).buffer));
}

/** Points spread over a box, none two alike, from a fixed sequence. */
function points(): [number, number, number][] {
  return Array.from({ length: COUNT }, (_, index) => [
    ((index * 7) % 11) / 10,
    ((index * 5) % 13) / 12 - 0.5,
    ((index * 3) % 17) / 16 + 0.25,
  ]);
}

/** The points as legacy ASCII VTK (unstructured grid of vertices), as ParaView and meshio write it. */
function legacyVtk(list: [number, number, number][]): string {
  return [
    "# vtk DataFile Version 4.2",
    "source points",
    "ASCII",
    "DATASET UNSTRUCTURED_GRID",
    `POINTS ${list.length} double`,
    ...list.map((point) => point.join(" ")),
    `CELLS ${list.length} ${2 * list.length}`,
    ...list.map((_, index) => `1 ${index}`),
    `CELL_TYPES ${list.length}`,
    ...list.map(() => "1"),
    "",
  ].join("\n");
}

function composition(directory: string, targetPoints: string): string {
  return `version: 1
name: mesh-file
components:
  source:
    module: ${COMPONENT}
    args: { points: ${COUNT}, fill: 7 }
    meshes: { surface: { dimension: 3, file: source.vtk, fields: [linear, received] } }
  target:
    module: ${COMPONENT}
    args: { points: ${COUNT}, fill: -1e9, role: target }
    meshes: { surface: { dimension: 3, file: target.csv, ${targetPoints}fields: [linear, received] } }
transfers:
  - { from: source.surface.linear, to: target.surface.received }
coupling: { iterations: 3, order: [source, target] }
results:
  directory: ${join(directory, "runs")}
  outputs: [{ field: target.surface.received }]
`;
}

function writeMeshes(directory: string): [number, number, number][] {
  const source = points();
  writeFileSync(join(directory, "source.vtk"), legacyVtk(source));
  // The target's points are the source's, reversed, in CSV.
  const target = [...source].reverse();
  writeFileSync(join(directory, "target.csv"), ["x,y,z", ...target.map((point) => point.join(","))].join("\n"));
  return target;
}

test("a mesh's points from a file: transfers are built on them and the component reads them", async (t) => {
  const directory = scratchDirectory(t, "mesh-file");
  const target = writeMeshes(directory);
  const file = join(directory, "conflux.yaml");
  writeFileSync(file, composition(directory, ""));
  const ran = await runToEnd(startCli(t, ["run", file, "--quiet"], { CONFLUX_SHM_ROOT: directory }));
  assert.equal(ran.code, 0, ran.stderr);
  const [made] = readdirSync(join(directory, "runs"));
  assert.ok(made !== undefined);
  const run = join(directory, "runs", made);
  assert.deepEqual(
    doubles(join(run, "fields", "target.surface.received.f64")),
    target.map(([x, y, z]) => x + 2 * y + 3 * z),
  );
  // The record keeps the target's coordinates as the file gave them (soa), and hashes both files as inputs.
  const coordinates = doubles(join(run, "fields", "target.surface.coordinates.f64"));
  assert.deepEqual(
    coordinates,
    [0, 1, 2].flatMap((axis) => target.map((point) => point[axis] as number)),
  );
  const inputs = readRunRecord(run).inputs.filter((input) => input.role === "mesh file");
  assert.deepEqual(inputs.map((input) => [input.component, input.path]).sort(), [
    ["source", join(directory, "source.vtk")],
    ["target", join(directory, "target.csv")],
  ]);
});

test("a mesh file unlike its declaration, or missing, is refused at its key before anything starts; a mesh with neither points nor file is valid", async (t) => {
  const directory = scratchDirectory(t, "mesh-file");
  writeMeshes(directory);
  const file = join(directory, "conflux.yaml");
  writeFileSync(file, composition(directory, "points: 41, "));
  const counted = await runToEnd(startCli(t, ["run", file, "--quiet"], { CONFLUX_SHM_ROOT: directory }));
  assert.equal(counted.code, 2, counted.stderr);
  assert.match(
    counted.stderr,
    /conflux\.yaml:\d+:\d+: .*target\.csv: the file holds 40 points, but the mesh is declared with points: 41; leave points out/,
  );
  writeFileSync(file, composition(directory, "").replace("file: target.csv", "file: absent.vtu"));
  const missing = await runToEnd(startCli(t, ["run", file, "--quiet"], { CONFLUX_SHM_ROOT: directory }));
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /mesh file "absent\.vtu" does not exist/);
  // Neither points nor file is a mesh as large as its component publishes (docs/parallel.md): valid.
  writeFileSync(file, composition(directory, "").replace("file: target.csv, ", ""));
  const neither = await runToEnd(startCli(t, ["validate", file]));
  assert.equal(neither.code, 0, neither.stderr + neither.stdout);
  assert.equal(readdirSync(directory).includes("runs"), false, "nothing ran");
});
