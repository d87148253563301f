// `conflux graph` as a user runs it: a real child process draws composition files as DOT and as SVG.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchDirectory, VALID } from "../compose/compositions.ts";
import { runConflux } from "../support/run-conflux.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

function conflux(...args: string[]) {
  return runConflux(args, root, 60_000);
}

test("conflux graph --format dot draws every component with its enclave and stack, and every transfer", () => {
  const result = conflux("graph", "--format", "dot", join(root, "examples/seed-dtk/conflux.yaml"));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^digraph "seed-dtk" \{/);
  assert.match(result.stdout, /"appA" \[label="appA\\nprocess\\nhost stack"\];/);
  assert.match(result.stdout, /"appA" -> "appB" \[label="surface.temperature → surface.temperature\\nnearest"\];/);
  assert.match(result.stdout, /"appB" -> "appA" \[label="surface.flux → surface.flux\\nnearest"\];/);

  const containers = conflux("graph", "--format", "dot", join(root, "examples/lammps-crack/conflux.yaml"));
  assert.equal(containers.code, 0, containers.stderr);
  assert.match(containers.stdout, /"md" \[label="md\\ncontainer · bubblewrap\\nstack lammps"\];/);
  assert.match(containers.stdout, /"md" -> "bonds" \[label="snapshot atoms as atoms", style=dashed\];/);

  const ranks = conflux("graph", "--format", "dot", join(root, "examples/partitioned-heat/conflux.mpi.yaml"));
  assert.equal(ranks.code, 0, ranks.stderr);
  assert.match(ranks.stdout, /\d+ ranks \(mpirun\)/);
});

test("conflux graph writes an SVG that names the components and operators", (t) => {
  const directory = scratchDirectory(t, { "conflux.yaml": VALID });
  const out = join(directory, "drawing.svg");
  const result = conflux("graph", join(directory, "conflux.yaml"), "-o", out);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  const svg = readFileSync(out, "utf8");
  assert.match(svg, /<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const text of ["appA", "appB", "nearest"]) assert.ok(svg.includes(`>${text}`), `the drawing shows ${text}`);
});

test("conflux graph names a bad file or format with exit code 2 and no stack trace", (t) => {
  const missing = conflux("graph", "no-such.yaml");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such.yaml: cannot read the composition file/);
  const directory = scratchDirectory(t, { "conflux.yaml": VALID.replace("kind: process", "kind: proces") });
  const invalid = conflux("graph", join(directory, "conflux.yaml"));
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /proces/);
  const format = conflux("graph", "--format", "png", join(root, "examples/seed-dtk/conflux.yaml"));
  assert.equal(format.code, 2);
  assert.match(format.stderr, /--format png: give svg or dot/);
  for (const result of [missing, invalid, format]) assert.doesNotMatch(result.stderr, /\n\s+at /);
});
