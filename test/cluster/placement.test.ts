// Where components run, as the composition says it: validate refuses a
// placement that cannot hold (a node past placement.nodes, spread without
// ranks or without nodes, a thread, a vm or a container of many ranks off the
// driver's node, a snapshot across nodes), each by its key and with the fix;
// `conflux run` refuses the same at the same key before anything starts; and a
// run that spans more nodes than it has is refused outside an allocation,
// naming salloc and conflux submit.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { runToEnd, startCli } from "../support/child-process.ts";

function scratchDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), "conflux-placement-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function composition(top: string, solver: string, reader = ""): string {
  return `version: 1
name: placement
${top}
components:
  solver:
    command: [/bin/true]
${solver}    meshes:
      surface: { dimension: 3, points: 4, fields: [out] }
  reader:
    command: [/bin/true]
${reader}    meshes:
      surface: { dimension: 3, points: 4, fields: [in] }
transfers:
  - { from: solver.surface.out, to: reader.surface.in }
coupling:
  order: [solver, reader]
  iterations: 2
`;
}

/** What validate says of a case: a pattern, or the exact line for a file (its place included). */
type Expected = RegExp | ((file: string) => string);

const REFUSED: [string, string, string, Expected][] = [
  [
    "",
    "    node: 2\n",
    "",
    /components\.solver\.node: component "solver" is placed on node 2, but the composition sets no placement\. Say how many nodes the run spans: placement: \{ nodes: 2 \}/,
  ],
  [
    "placement: { nodes: 2 }",
    "    node: 3\n",
    "",
    /components\.solver\.node: .* on node 3, but the run spans 2 nodes\. Nodes are numbered 1 to 2/,
  ],
  [
    "placement: { nodes: 2 }",
    "    spread: true\n",
    "",
    /components\.solver\.spread: .* spread over the nodes but runs as one rank/,
  ],
  [
    "",
    "    ranks: 2\n    spread: true\n",
    "",
    /components\.solver\.spread: .* but the run spans one node\. Set placement: \{ nodes: N \}/,
  ],
  [
    "placement: { nodes: 2 }",
    "    ranks: 2\n    spread: true\n    node: 1\n",
    "",
    /both spread over every node and placed on node 1/,
  ],
  [
    "placement: { nodes: 2 }",
    "    ranks: 2\n    launcher: mpirun\n    spread: true\n",
    "",
    /components\.solver\.launcher: .* spread over the nodes with launcher: mpirun/,
  ],
  [
    "placement: { nodes: 2 }",
    "    enclave: { kind: thread }\n    node: 2\n",
    "",
    /components\.solver\.node: component "solver" runs in a thread enclave, which is the driver's process, on node 1/,
  ],
  [
    "placement: { nodes: 2 }",
    "    enclave: { kind: vm }\n    node: 2\n",
    "",
    (file) =>
      `${file}:8:11: components.solver.node: component "solver" runs in a vm enclave on node 2; another node runs process and container enclaves. Run it in a process or container enclave there, or on node 1.`,
  ],
  [
    "placement: { nodes: 2 }",
    "    enclave: { kind: container, container: { stack: numpy1 } }\n    ranks: 2\n    launcher: mpirun\n    node: 2\n",
    "",
    (file) =>
      `${file}:10:11: components.solver.node: component "solver" has 2 ranks in a container enclave off the driver's node; ranks on other nodes run as processes. Give it enclave: { kind: process } (each node's agent starts its ranks), or keep it on node 1.`,
  ],
];

test("validate refuses each placement that cannot hold, by its key and with the fix", async (t) => {
  const directory = scratchDirectory(t);
  for (const [index, [top, solver, reader, expected]] of REFUSED.entries()) {
    const file = join(directory, `refused-${index}.yaml`);
    writeFileSync(file, composition(top, solver, reader));
    const validated = await runToEnd(startCli(t, ["validate", file]));
    assert.equal(validated.code, 2, `case ${index}: ${validated.stdout}${validated.stderr}`);
    if (expected instanceof RegExp) assert.match(validated.stdout + validated.stderr, expected, `case ${index}`);
    else assert.deepEqual(validated.stderr.split("\n").slice(0, -2), [expected(file)], `case ${index}`);
  }
  const accepted = join(directory, "accepted.yaml");
  writeFileSync(accepted, composition("placement: { nodes: 2 }", "    ranks: 4\n    spread: true\n", "    node: 2\n"));
  const validated = await runToEnd(startCli(t, ["validate", accepted]));
  assert.equal(validated.code, 0, validated.stdout + validated.stderr);
});

test("a snapshot between components on two nodes is refused: shared memory does not cross nodes", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "snapshot.yaml");
  writeFileSync(
    file,
    `version: 1
name: snapshot-across
placement: { nodes: 2 }
components:
  md:
    command: [/bin/true]
    meshes:
      atoms: { dimension: 3, points: 4, fields: [v] }
  analysis:
    command: [/bin/true]
    node: 2
asynchronous:
  - { from: md.atoms, to: analysis.atoms }
coupling:
  order: [md]
  iterations: 2
`,
  );
  const validated = await runToEnd(startCli(t, ["validate", file]));
  assert.equal(validated.code, 2);
  assert.match(
    validated.stdout + validated.stderr,
    /asynchronous\[0\]: the snapshot of md\.atoms would cross nodes \(md on node 1, analysis on node 2\)\. A snapshot is shared memory/,
  );
});

test("conflux run of a composition on two nodes outside a Slurm allocation is refused before anything starts", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "two-nodes.yaml");
  writeFileSync(file, composition("placement: { nodes: 2 }", "", "    node: 2\n"));
  const environment: Record<string, string> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith("SLURM_")) environment[name] = "";
  const ran = await runToEnd(startCli(t, ["run", file, "--results", join(directory, "runs")], environment));
  assert.equal(ran.code, 2, ran.stderr);
  assert.match(
    ran.stderr,
    /placement\.nodes: the run spans 2 nodes, and this is not a Slurm allocation .*conflux submit FILE.*salloc -N 2 srun -N1 -n1 conflux run FILE/,
  );
  assert.deepEqual(readdirSync(directory).sort(), ["two-nodes.yaml"], "no run directory, no record: nothing started");
});

test("conflux run refuses a vm enclave on another node at its key, as validate does, before anything starts", async (t) => {
  const directory = scratchDirectory(t);
  const file = join(directory, "vm-on-two.yaml");
  writeFileSync(file, composition("placement: { nodes: 2 }", "    enclave: { kind: vm }\n    node: 2\n"));
  const environment: Record<string, string> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith("SLURM_")) environment[name] = "";
  const ran = await runToEnd(startCli(t, ["run", file, "--results", join(directory, "runs")], environment));
  assert.equal(ran.code, 2, ran.stderr);
  assert.match(
    ran.stderr,
    new RegExp(
      `^${file.replaceAll(".", "\\.")}:8:11: components\\.solver\\.node: component "solver" runs in a vm enclave on node 2; another node runs process and container enclaves\\.`,
      "m",
    ),
  );
  assert.deepEqual(readdirSync(directory).sort(), ["vm-on-two.yaml"], "no run directory, no record: nothing started");
});
