// The C and Python clients on a /dev/shm without room for a segment: an error
// naming the segment, the bytes it needs and the bytes free, at creation, never
// SIGBUS at the first write (the clients reserve a segment's pages with fallocate).
import assert from "node:assert/strict";
import { test } from "node:test";
import { privateTmpfsOptions, runWithTmpfs } from "../support/private-tmpfs.ts";
import { needs, PYTHON } from "../support/requirements.ts";
import { plainBuild, pythonCommand, pythonEnvironment, scratchDirectory } from "./toolchain.ts";

const HOST = `"${process.execPath}" --import tsx test/clients/fixtures/no-room-host.ts`;
const build = plainBuild();
const python = pythonCommand();
const NO_ROOM =
  /no room for segment "big" \(200,?256 bytes\) in \S+: [\d,]+ bytes are free\. Give it more room \(a larger \/dev\/shm/;

test("C client: a segment that finds no room is CFX_ERR_FULL naming it", {
  ...privateTmpfsOptions,
  ...build.options,
}, async (t) => {
  build.required();
  const program = build.compile(scratchDirectory(t), "no_room", ["test/clients/fixtures/no_room.c"]);
  const outcome = await runWithTmpfs(t, "128k", `${HOST} "${program}"`);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /^CFX_ERR_FULL: /m);
  assert.match(outcome.stderr, NO_ROOM);
  assert.doesNotMatch(outcome.stderr, /killed by/);
  assert.equal(outcome.left, "");
});

test("Python client: a segment that finds no room is a ConfluxError naming it", {
  ...privateTmpfsOptions,
  ...needs(PYTHON),
}, async (t) => {
  const environment = Object.entries(pythonEnvironment())
    .map(([name, value]) => `${name}="${value}"`)
    .join(" ");
  const script = "import conflux; conflux.Run.from_environment().create_segment('big', 200000)";
  const outcome = await runWithTmpfs(t, "128k", `${environment} ${HOST} "${python}" -c "${script}"`);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /conflux\.ConfluxError: /);
  assert.match(outcome.stderr, NO_ROOM);
  assert.equal(outcome.left, "");
});
