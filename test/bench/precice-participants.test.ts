// The preCICE benchmarks run their participants together (runPreciceParticipants):
// one that fails ends the others at once. A participant whose partner has died
// waits for it on its sockets, so without this a run waited out the whole timeout
// (ten minutes for a 10^6-point pair of bench map). Plain processes stand in for
// the participants: what is tested is the runner, not preCICE.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runPreciceParticipants } from "../../src/bench/precice-heat/precice-heat.ts";

test("a participant that fails ends the others, which are reported as ended by SIGKILL", async () => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-participants-"));
  try {
    // The second would exit 0 after a minute by itself, well inside the timeout.
    const [failed, waiting] = await runPreciceParticipants(
      [
        { command: "sh", args: ["-c", "echo no partner; exit 3"] },
        { command: "sleep", args: ["60"] },
      ],
      directory,
      180_000,
    );
    assert.equal(failed?.code, 3);
    assert.match(failed?.output ?? "", /no partner/);
    assert.equal(waiting?.signal, "SIGKILL");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("participants that all succeed are waited for", async () => {
  const directory = mkdtempSync(join(tmpdir(), "conflux-participants-"));
  try {
    const finished = await runPreciceParticipants(
      [
        { command: "sh", args: ["-c", "sleep 0.2; echo one"] },
        { command: "sh", args: ["-c", "echo two"] },
      ],
      directory,
      180_000,
    );
    assert.deepEqual(
      finished.map((entry) => [entry.code, entry.output.trim()]),
      [
        [0, "one"],
        [0, "two"],
      ],
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
