// Any process of a run can write the registry, so an entry is checked where it
// is used: its file must be a plain file of the run directory (no path out of
// it, no symbolic link, no FIFO), its place must lie inside the file as it is,
// and the header there must carry the entry's name.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Run } from "../../src/shm/run.ts";
import { scratchRun } from "../support/scratch-run.ts";

function register(run: Run, name: string, file: string, offset = 0, length = 512): void {
  run.registry.register({ name, file, offset, length, kind: 0, creatorPid: process.pid });
}

test("an entry whose file is outside the run directory is refused, naming the entry", (t) => {
  const run = scratchRun(t);
  register(run, "escape", "../../etc/passwd");
  assert.throws(
    () => run.openSegment("escape"),
    /registry entry "escape" of run [0-9a-f]+: file name "..\/..\/etc\/passwd" is not a file of the run directory/,
  );
  register(run, "dot", "..");
  assert.throws(() => run.openSegment("dot"), /file name "\.\." is not a file of the run directory/);
});

test("an entry whose file is a symbolic link or a FIFO is refused, even to a real segment", (t) => {
  const run = scratchRun(t);
  const real = run.createSegment("real", 64);
  t.after(() => real.close());
  symlinkSync(real.path, join(run.directory, "seg-link"));
  register(run, "linked", "seg-link");
  assert.throws(() => run.openSegment("linked"), /seg-link is a symbolic link; a segment is a file of its run/);
  assert.equal(spawnSync("mkfifo", [join(run.directory, "seg-fifo")]).status, 0);
  register(run, "piped", "seg-fifo");
  assert.throws(() => run.openSegment("piped"), /seg-fifo is not a regular file; a segment is a file of its run/);
});

test("an entry placing a segment past the end of its file is refused before anything is mapped", (t) => {
  const run = scratchRun(t);
  const real = run.createSegment("small", 64);
  t.after(() => real.close());
  const file = real.path.slice(run.directory.length + 1);
  register(run, "beyond", file, 4096, 8192);
  assert.throws(
    () => run.openSegment("beyond"),
    /registry entry "beyond" .*bytes 4096\.\.12288 do not lie page aligned in its 320 bytes; the registry entry is corrupt/,
  );
  register(run, "unaligned", file, 100, 256);
  assert.throws(() => run.openSegment("unaligned"), /it places the segment at bytes 100\.\.356 .* page aligned/);
});

test("an entry pointing to another segment's file is refused: the header names someone else", (t) => {
  const run = scratchRun(t);
  const real = run.createSegment("owner", 64);
  t.after(() => real.close());
  register(run, "impostor", real.path.slice(run.directory.length + 1));
  assert.throws(
    () => run.openSegment("impostor"),
    /registry entry "impostor" .* points to .*, whose header names it "owner"/,
  );
});
