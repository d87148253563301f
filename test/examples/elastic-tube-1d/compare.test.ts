// examples/elastic-tube-1d/compare.py on the kinds of files it reads: this
// example's CSV, preCICE's VTK exports of the coupling meshes (as the
// tutorial's reference archives hold them, in a directory or a .tar.gz), and
// the tutorial fluid's out_fluid_<k>.vtk. The files are written here from the
// in-process reference in those formats; a copy compares equal, a perturbed
// one is found where it was perturbed, and --tolerance turns it into exit 1.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { anyPython, C_COMPILER, needs, PYTHON_SCRIPTS } from "../../support/requirements.ts";
import { scratchDirectory, TUBE_EXAMPLE } from "../support.ts";
import { buildTubeCheck, compareTube, tubeReference } from "./tube-check.ts";

const options = needs(C_COMPILER, PYTHON_SCRIPTS);

interface Row {
  window: number;
  x: number;
  pressure: number;
  area: number;
}

function readReference(path: string): Row[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const [window, , x, pressure, area] = line.split(",").map(Number);
      return { window: window as number, x: x as number, pressure: pressure as number, area: area as number };
    });
}

/** A legacy VTK file of points on the x axis with scalar point fields, laid out as preCICE's exporter does. */
function vtk(rows: Row[], fields: Record<string, number[]>, vectors: Record<string, number[]> = {}): string {
  const lines = [
    "# vtk DataFile Version 2.0",
    "",
    "ASCII",
    "",
    "DATASET UNSTRUCTURED_GRID",
    "",
    `POINTS ${rows.length} double `,
    "",
  ];
  for (const row of rows) lines.push(`${row.x.toExponential(17)}  0.00000000000000000e+00  0.00000000000000000e+00`);
  lines.push("", "CELLS 0 0", "", "", "CELL_TYPES 0", "", "", `POINT_DATA ${rows.length}`, "");
  lines.push("SCALARS Rank unsigned_int", "LOOKUP_TABLE default", `${rows.map(() => "0").join(" ")} `, "");
  for (const [name, values] of Object.entries(vectors)) {
    lines.push(`VECTORS ${name} float`, ...values.map((value) => `${value.toExponential(16)} 0 0`), "");
  }
  for (const [name, values] of Object.entries(fields)) {
    lines.push(`SCALARS ${name} double`, "LOOKUP_TABLE default", ...values.map((value) => value.toExponential(17)), "");
  }
  return `${lines.join("\n")}\n`;
}

function byWindow(rows: Row[]): Map<number, Row[]> {
  const windows = new Map<number, Row[]>();
  for (const row of rows) windows.set(row.window, [...(windows.get(row.window) ?? []), row]);
  return windows;
}

test("compare.py reads the example's CSV, preCICE's exports (directory and .tar.gz) and the tutorial's fluid output", {
  ...options,
}, (t) => {
  const python = anyPython() as string;
  const directory = scratchDirectory(t);
  const reference = tubeReference(buildTubeCheck(directory), directory);
  const windows = byWindow(readReference(reference));

  // preCICE's exports: the fluid's mesh with the pressure it wrote, the wall's with its area; window N is dt<N+1>.
  const exports = join(directory, "exports", "precice-exports");
  mkdirSync(exports, { recursive: true });
  for (const [window, rows] of windows) {
    const pressure = rows.map((row) => row.pressure);
    const area = rows.map((row) => row.area);
    writeFileSync(
      join(exports, `Fluid-Nodes-Mesh-Fluid.dt${window + 1}.vtk`),
      vtk(rows, { CrossSectionLength: area.map(() => 1), Pressure: pressure }),
    );
    writeFileSync(
      join(exports, `Solid-Nodes-Mesh-Solid.dt${window + 1}.vtk`),
      vtk(rows, { CrossSectionLength: area, Pressure: pressure.map(() => 0) }),
    );
  }
  writeFileSync(join(exports, "Fluid-Nodes-Mesh-Fluid.init.vtk"), vtk(windows.get(0) ?? [], { Pressure: [] }));
  const archive = join(directory, "reference.tar.gz");
  const tar = spawnSync("tar", ["czf", archive, "-C", join(directory, "exports"), "precice-exports"]);
  assert.equal(tar.status, 0);
  for (const source of [exports, archive]) {
    const report = compareTube(python, reference, source);
    assert.equal(report.windows.length, 100, source);
    assert.ok((report.fields.pressure?.maxRelative ?? 1) < 1e-15, `pressure from ${source}`);
    assert.ok((report.fields.cross_section?.maxRelative ?? 1) < 1e-15, `area from ${source}: the wall's mesh`);
  }

  // The tutorial fluid's output: out_fluid_<k>.vtk after window k, the area named "diameter".
  const tutorial = join(directory, "tutorial-output");
  mkdirSync(tutorial);
  for (const [window, rows] of windows) {
    const pressure = rows.map((row) => (window === 42 && row.x === 5 ? row.pressure + 1 : row.pressure));
    writeFileSync(
      join(tutorial, `out_fluid_${window}.vtk`),
      vtk(rows, { pressure, diameter: rows.map((row) => row.area) }, { velocity: rows.map(() => 10) }),
    );
  }
  const report = compareTube(python, reference, tutorial);
  assert.equal(report.windows.length, 100);
  const pressure = report.fields.pressure;
  assert.ok(pressure);
  assert.equal(pressure.maxRelativeAt.window, 42);
  assert.equal(pressure.maxRelativeAt.x, 5);
  assert.ok(Math.abs(pressure.maxAbsolute - 1) < 1e-9, `found ${pressure.maxAbsolute}`);
  const strict = spawnSync(python, [join(TUBE_EXAMPLE, "compare.py"), reference, tutorial, "--tolerance", "1e-6"], {
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  assert.equal(strict.status, 1, strict.stderr);
  assert.match(strict.stdout, /pressure {7}max \|difference\| 1\.000e\+00/);
});
