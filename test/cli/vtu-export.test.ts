// results.export: vtu through `conflux run`: a serial-implicit run in time of
// the driver's test components (in processes) leaves a .pvd series with one
// VTU per mesh and window, and meshio, reading every file the .pvd names,
// finds the mesh's points and the fields at the coupled fixed point of each
// window's end: x = (2 + t) / 1.4 on A, y = 2 − 0.8 x on B.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runToEnd, startCli } from "../support/child-process.ts";
import { MESHIO, MESHIO_PYTHON, needs } from "../support/requirements.ts";
import { scratchDirectory, timePairComponents } from "./time-pair.ts";

function composition(results: string): string {
  return `${timePairComponents()}coupling:
  scheme: serial-implicit
  order: [A, B]
  window: 0.1
  max_time: 0.3
  max_iterations: 50
  convergence:
    - { field: B.m.x, measure: relative, limit: 1e-12 }
  acceleration: { method: aitken, fields: [A.m.y] }
results:
  directory: ${results}
  export: vtu
`;
}

/** What meshio sees of every data set the .pvd names: its time, part name, point count, points and fields. */
const READ_SERIES = `import json, sys, os, meshio
import xml.etree.ElementTree as ET
pvd = sys.argv[1]
out = []
for data_set in ET.parse(pvd).getroot().iter("DataSet"):
    mesh = meshio.read(os.path.join(os.path.dirname(pvd), data_set.get("file")))
    out.append({"time": float(data_set.get("timestep")), "part": int(data_set.get("part")), "name": data_set.get("name"),
                "points": mesh.points.tolist(), "fields": {k: v.tolist() for k, v in mesh.point_data.items()}})
print(json.dumps(out))`;

interface SeenDataSet {
  time: number;
  part: number;
  name: string;
  points: number[][];
  fields: Record<string, number[]>;
}

test(
  "results.export: vtu writes a .pvd series of every mesh per window that meshio reads",
  needs(MESHIO),
  async (t) => {
    const directory = scratchDirectory(t, "vtu-export");
    const shm = scratchDirectory(t, "vtu-export");
    const results = join(directory, "runs");
    const file = join(directory, "conflux.yaml");
    writeFileSync(file, composition(results));
    const ran = await runToEnd(startCli(t, ["run", file, "--quiet"], { CONFLUX_SHM_ROOT: shm }));
    assert.equal(ran.code, 0, ran.stderr);
    const [made] = readdirSync(results);
    assert.ok(made !== undefined);
    const vtu = join(results, made, "vtu");
    assert.deepEqual(readdirSync(vtu).sort(), [
      "A.m-000001.vtu",
      "A.m-000002.vtu",
      "A.m-000003.vtu",
      "B.m-000001.vtu",
      "B.m-000002.vtu",
      "B.m-000003.vtu",
      "time-pair.pvd",
    ]);
    const read = spawnSync(MESHIO_PYTHON, ["-c", READ_SERIES, join(vtu, "time-pair.pvd")], { encoding: "utf8" });
    assert.equal(read.status, 0, read.stderr);
    const seen = JSON.parse(read.stdout) as SeenDataSet[];
    assert.deepEqual(
      seen.map((dataSet) => [dataSet.time, dataSet.part, dataSet.name]),
      [
        [0.1, 0, "A.m"],
        [0.1, 1, "B.m"],
        [0.2, 0, "A.m"],
        [0.2, 1, "B.m"],
        [0.3, 0, "A.m"],
        [0.3, 1, "B.m"],
      ],
    );
    for (const dataSet of seen) {
      assert.deepEqual(
        dataSet.points,
        [
          [0, 0, 0],
          [1, 0, 0],
          [2, 0, 0],
          [3, 0, 0],
        ],
        dataSet.name,
      );
      assert.deepEqual(Object.keys(dataSet.fields), ["x", "y"], dataSet.name);
      const x = (2 + dataSet.time) / 1.4;
      // A writes x and reads y; B writes y and reads x: each field as its component left it at the window's end.
      for (const value of dataSet.fields.x ?? [])
        assert.ok(Math.abs(value - x) < 1e-9, `${dataSet.name} x at t = ${dataSet.time}: ${value}, not ${x}`);
      for (const value of dataSet.fields.y ?? []) {
        assert.ok(
          Math.abs(value - (2 - 0.8 * x)) < 1e-9,
          `${dataSet.name} y at t = ${dataSet.time}: ${value}, not ${2 - 0.8 * x}`,
        );
      }
    }
  },
);
