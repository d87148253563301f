// The SDK as a component's own package uses it: a package outside this
// checkout that depends on conflux imports "conflux-coupling/component" (the built
// SDK), and `conflux run` couples two of its components. And the check that
// keeps the built SDK its sources' build: a source whose size or time
// changed, or that is gone, and a bundle never built, each make it stale; the
// same bytes at another time (as an install leaves them) do not.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { sdkBundleStale } from "../../src/platform/sdk-bundle.ts";
import { readRunRecord } from "../../src/record/run-record.ts";
import { projectRoot, runToEnd, startCli } from "../support/child-process.ts";

function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-sdk-package-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

// out = in / 2 + its own constant each step: after 6 steps each side's values follow from the other's.
const SOLVER = `import { Component } from "conflux-coupling/component";

const component = Component.connect();
const constant = Number(component.args.constant);
const mesh = component.shareMesh("line", { dimension: 1, count: 4, layout: "soa", fields: ["out", "in"] });
for (let point = 0; point < 4; point++) mesh.coordinates[point] = point;
const out = mesh.field("out");
const into = mesh.field("in");
component.loop(() => {
  for (let point = 0; point < 4; point++) out[point] = (into[point] as number) / 2 + constant + point;
});
component.close();
`;

test("a package of its own imports conflux-coupling/component, and conflux run couples two of its components", async (t) => {
  const directory = scratchDirectory(t);
  const solverPackage = join(directory, "solver");
  mkdirSync(join(solverPackage, "node_modules"), { recursive: true });
  symlinkSync(projectRoot, join(solverPackage, "node_modules", "conflux-coupling"), "dir");
  writeFileSync(
    join(solverPackage, "package.json"),
    JSON.stringify({ name: "solver", type: "module", dependencies: { "conflux-coupling": "*" } }),
  );
  writeFileSync(join(solverPackage, "solver.ts"), SOLVER);
  const composition = join(directory, "conflux.yaml");
  writeFileSync(
    composition,
    `version: 1
name: sdk-package
components:
  left: { module: ./solver/solver.ts, args: { constant: 1 }, meshes: { line: { dimension: 1, points: 4, fields: [out, in] } } }
  right: { module: ./solver/solver.ts, args: { constant: 10 }, meshes: { line: { dimension: 1, points: 4, fields: [out, in] } } }
transfers:
  - { from: left.line.out, to: right.line.in }
  - { from: right.line.out, to: left.line.in }
coupling:
  order: [left, right]
  iterations: 6
`,
  );
  const results = join(directory, "runs");
  const ran = await runToEnd(startCli(t, ["run", composition, "--results", results]));
  assert.equal(ran.code, 0, ran.stderr);
  const [entry] = readdirSync(results);
  const record = readRunRecord(join(results, entry as string));
  assert.equal(record.status, "completed", record.error);
  // The same serial order by hand: left steps, its out goes to right, right steps, its out goes to left.
  const left = { out: [0, 0, 0, 0], in: [0, 0, 0, 0] };
  const right = { out: [0, 0, 0, 0], in: [0, 0, 0, 0] };
  for (let step = 0; step < 6; step++) {
    left.out = left.in.map((value, point) => value / 2 + 1 + point);
    right.in = [...left.out];
    right.out = right.in.map((value, point) => value / 2 + 10 + point);
    left.in = [...right.out];
  }
  const field = (name: string) => {
    const file = record.fields.find((saved) => saved.name === name)?.file as string;
    const bytes = readFileSync(join(results, entry as string, file));
    return Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8));
  };
  assert.deepEqual(field("left.line.out"), left.out);
  assert.deepEqual(field("right.line.out"), right.out);
});

test("the built SDK is stale when a source's bytes changed, a source is gone, or it was never built", (t) => {
  const root = scratchDirectory(t);
  mkdirSync(join(root, "src"));
  mkdirSync(join(root, "build"));
  const source = join(root, "src", "a.ts");
  writeFileSync(source, "export const a = 1;\n");
  const listing = join(root, "build", "inputs.json");
  assert.equal(sdkBundleStale(listing, root), "it has not been built");
  writeFileSync(join(root, "build", "bundle.mjs"), "export const a = 1;\n");
  const record = () => {
    const stats = statSync(source);
    const sha256 = createHash("sha256").update(readFileSync(source)).digest("hex");
    writeFileSync(
      listing,
      JSON.stringify({
        bundle: "bundle.mjs",
        inputs: [{ path: "src/a.ts", size: stats.size, mtimeMs: stats.mtimeMs, sha256 }],
      }),
    );
  };
  record();
  assert.equal(sdkBundleStale(listing, root), undefined, "fresh right after its build");
  writeFileSync(source, "export const a = 22;\n");
  assert.equal(sdkBundleStale(listing, root), "src/a.ts changed since it was built");
  record();
  // An install gives every file a new time: the same bytes are the same build.
  utimesSync(source, new Date(0), new Date(Date.now() - 60_000));
  assert.equal(sdkBundleStale(listing, root), undefined, "the same bytes at another time");
  writeFileSync(source, "export const a = 3;\n");
  utimesSync(source, new Date(0), new Date(Date.now() - 120_000));
  assert.equal(sdkBundleStale(listing, root), "src/a.ts changed since it was built", "the same size, other bytes");
  rmSync(source);
  assert.equal(sdkBundleStale(listing, root), "src/a.ts is gone");
});

test("the checkout's built SDK is its sources' build (the test runner builds it before the suite)", () => {
  assert.equal(sdkBundleStale(), undefined);
});
