// `conflux map` run as a real child process on small CSV, VTU and Gmsh files in a temporary
// directory (removed afterwards, also when a test fails).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { compositionJsonSchema, parseComposition } from "../../src/compose/index.ts";
import { optionFlag, optionKey, parseTransferSpec, TRANSFER_OPTION_NAMES } from "../../src/mapping/index.ts";
import { readMeshFile, vtuDocument } from "../../src/meshfile/index.ts";
import { couplingPlan } from "../../src/runner/coupling-plan.ts";
import { VALID } from "../compose/compositions.ts";

const conflux = fileURLToPath(new URL("../../bin/conflux.js", import.meta.url));
let directory = "";

before(() => {
  directory = mkdtempSync(join(tmpdir(), "conflux-map-"));
});

after(() => {
  rmSync(directory, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

function map(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [conflux, "map", ...args], { cwd: directory, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readCsv(path: string): number[][] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",").map(Number));
}

const linear = (x: number, y: number, z: number) => 1 + 2 * x - y + 0.5 * z;

function grid(fields: boolean): string {
  const lines = [fields ? "x,y,z,f,g" : "x,y,z"];
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      for (let k = 0; k < 5; k++) {
        const [x, y, z] = [i / 4, j / 4, k / 4];
        lines.push(fields ? `${x},${y},${z},${linear(x, y, z)},${x * y}` : `${x},${y},${z}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

test("conflux map writes the target's coordinates followed by the mapped fields", () => {
  const source = file("S.csv", grid(true));
  const target = file("T.csv", "x,y,z\n0.5,0.5,0.5\n0.3,0.6,0.1\n0.9,0.05,0.8\n");
  const out = join(directory, "O.csv");
  for (const method of [
    ["--method", "mls"],
    ["--method", "mls", "--basis", "quadratic", "--radius", "0.6"],
    ["--method", "rbf", "--kernel", "tps"],
    ["--method", "rbf", "--kernel", "wendland-c2", "--radius", "0.8"],
    ["--method", "rbf-pu", "--radius", "0.8"],
  ]) {
    const result = map("--source", source, "--target", target, ...method, "--out", out);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(out, "utf8").split("\n")[0], "x,y,z,f,g");
    for (const [x = 0, y = 0, z = 0, f = 0] of readCsv(out)) {
      assert.ok(Math.abs(f - linear(x, y, z)) < 1e-12, `${method.join(" ")}: ${f} at ${x},${y},${z}`);
    }
  }
  const nearest = map("--source", source, "--target", target, "--method", "nearest", "--out", out);
  assert.equal(nearest.status, 0, nearest.stderr);
  assert.deepEqual(readCsv(out)[0], [0.5, 0.5, 0.5, linear(0.5, 0.5, 0.5), 0.25]);
});

test("conflux map --conservative preserves each field's sum", () => {
  const source = file("S.csv", grid(true));
  const target = file("T.csv", "x,y,z\n0.1,0.1,0.1\n0.9,0.9,0.9\n0.5,0.2,0.7\n0.3,0.8,0.4\n");
  const out = join(directory, "O.csv");
  const result = map("--source", source, "--target", target, "--method", "mls", "--conservative", "--out", out);
  assert.equal(result.status, 0, result.stderr);
  const sourceSum = readCsv(source).reduce((total, row) => total + (row[3] as number), 0);
  const targetSum = readCsv(out).reduce((total, row) => total + (row[3] as number), 0);
  assert.ok(Math.abs(sourceSum - targetSum) < 1e-12 * Math.abs(sourceSum));
});

test("bad input exits with code 2 and a message naming the file and line, without a stack trace", () => {
  const good = file("S.csv", grid(true));
  const target = file("T.csv", "x,y,z\n0.5,0.5,0.5\n7,7,7\n");
  const out = join(directory, "O.csv");
  const cases: [string[], RegExp][] = [
    [
      ["--source", file("A.csv", "x,y,z,f\n0,0,0,1\n1,0,zero,2\n"), "--target", target, "--method", "nearest"],
      /A\.csv:3:3: "zero" in column z is not a number/,
    ],
    [
      ["--source", file("B.csv", "x,y,z,f\n0,0,0,1\n1,0,0\n"), "--target", target, "--method", "nearest"],
      /B\.csv:3: 3 values, but the header has 4 columns/,
    ],
    [
      ["--source", file("C.csv", "lat,lon,f\n0,0,1\n"), "--target", target, "--method", "nearest"],
      /C\.csv:1: the header must start with the coordinate columns x,y/,
    ],
    [
      ["--source", good, "--target", file("D.csv", "x,y\n0,0\n"), "--method", "nearest"],
      /source mesh is 3-D but target mesh is 2-D/,
    ],
    [
      ["--source", good, "--target", target, "--method", "mls", "--radius", "0.5"],
      /target point 1 \(.*T\.csv:3\) at \(7, 7, 7\) has no source point closer than the MLS radius 0\.5/,
    ],
    [
      ["--source", good, "--target", target, "--method", "spline"],
      /--method: method must be one of nearest, mls, rbf, rbf-pu/,
    ],
    [["--source", good, "--target", target, "--method", "rbf"], /--radius: rbf with kernel wendland-c2 needs radius/],
    [["--source", good, "--target", target, "--method", "mls", "--k", "many"], /--k must be a number; got "many"/],
    [
      ["--source", join(directory, "missing.csv"), "--target", target, "--method", "nearest"],
      /cannot read .*missing\.csv/,
    ],
  ];
  for (const [args, expected] of cases) {
    const result = map(...args, "--out", out);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, expected);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
});

test("conflux map and the composition offer the same operator options, and a composition's reach the operator", () => {
  const help = spawnSync(process.execPath, [conflux, "map", "--help"], { encoding: "utf8" }).stdout;
  const flags = [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((match) => match[1]);
  const fileKeys = Object.keys(operatorProperties()).filter((key) => key !== "method");
  const mapFlags = flags.filter(
    (flag) => !["--source", "--target", "--method", "--out", "--help"].includes(flag ?? ""),
  );
  assert.deepEqual(
    mapFlags,
    fileKeys.map((key) => `--${key.replaceAll("_", "-")}`),
  );
  for (const name of TRANSFER_OPTION_NAMES) {
    assert.ok(fileKeys.includes(optionKey(name)), `the composition offers ${optionKey(name)}`);
    assert.ok(mapFlags.includes(optionFlag(name)), `conflux map offers ${optionFlag(name)}`);
  }
  // A composition's rbf-pu options arrive in the spec the operator is built from, under the mapping layer's names.
  const composition = parseComposition(
    VALID.replace("radius: 0.3", "radius: 0.3, points_per_patch: 40, patch_overlap: 0.2"),
    join(directory, "conflux.yaml"),
  );
  const spec = couplingPlan(composition).transfers[1]?.operator;
  assert.deepEqual(spec, {
    method: "rbf-pu",
    kernel: "wendland-c2",
    radius: 0.3,
    pointsPerPatch: 40,
    patchOverlap: 0.2,
    conservative: false,
  });
  assert.deepEqual(parseTransferSpec(spec), spec);
});

function operatorProperties(): Record<string, unknown> {
  const schema = compositionJsonSchema() as {
    properties: { transfers: { items: { properties: { operator: { properties: Record<string, unknown> } } } } };
  };
  return schema.properties.transfers.items.properties.operator.properties;
}

test("conflux map reads a VTU source and a Gmsh target by extension and writes CSV or VTU", () => {
  // A 2-D plane in VTU (x, y, z = 0) carrying f = 1 + 2x − y, mapped onto Gmsh nodes of that plane.
  const count = 36;
  const coordinates = new Float64Array(2 * count);
  const f = new Float64Array(count);
  for (let point = 0; point < count; point++) {
    const [x, y] = [(point % 6) / 5, Math.floor(point / 6) / 5];
    coordinates[2 * point] = x;
    coordinates[2 * point + 1] = y;
    f[point] = 1 + 2 * x - y;
  }
  const source = join(directory, "plane.vtu");
  writeFileSync(
    source,
    vtuDocument({
      points: { dimension: 2, count, layout: "interleaved", coordinates },
      fieldNames: ["f"],
      fields: [f],
    }),
  );
  const target = file(
    "nodes.msh",
    "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n3\n1 0.5 0.5 0\n2 0.3 0.7 0\n3 0.9 0.1 0\n$EndNodes\n",
  );
  const csv = join(directory, "mapped.csv");
  const result = map("--source", source, "--target", target, "--method", "rbf", "--kernel", "tps", "--out", csv);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(readFileSync(csv, "utf8").split("\n")[0], "x,y,f");
  const rows = readCsv(csv);
  assert.equal(rows.length, 3);
  for (const [x = 0, y = 0, value = 0] of rows)
    assert.ok(Math.abs(value - (1 + 2 * x - y)) < 1e-10, `${value} at ${x},${y}`);

  const vtu = join(directory, "mapped.vtu");
  const again = map("--source", source, "--target", target, "--method", "rbf", "--kernel", "tps", "--out", vtu);
  assert.equal(again.status, 0, again.stderr);
  const back = readMeshFile(vtu);
  assert.deepEqual(Array.from(back.points.coordinates), [0.5, 0.5, 0.3, 0.7, 0.9, 0.1]);
  assert.deepEqual(
    Array.from(back.fields[0] as Float64Array),
    rows.map((row) => row[2]),
  );

  const broken = file(
    "broken.msh",
    "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Nodes\n1 2 1 2\n0 1 0 2\n1\n2\n0 0 0\n$EndNodes\n",
  );
  const refused = map("--source", source, "--target", broken, "--method", "nearest", "--out", csv);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /broken\.msh:10: expected x y z, found "\$EndNodes"; check the counts before it/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, "no stack trace");
});
