// The C client against a hostile peer: each case of test/clients/hostile_c.c
// builds a run directory of its own, forks a process that changes what the
// client validated or maps, and checks that the client answers with an error
// code and a message. Shared by the plain build (c-hostile.test.ts) and the
// build under AddressSanitizer and UndefinedBehaviorSanitizer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type ExitStatus, startProgram } from "./programs.ts";
import { type CBuild, scratchDirectory } from "./toolchain.ts";

interface HostileCase {
  name: string;
  title: string;
  /** What the program's last line must say. */
  says: RegExp;
  /** How it must end; exit 0 unless said. */
  ends?: (build: CBuild) => { status: ExitStatus; stderr?: RegExp };
}

const CASES: HostileCase[] = [
  {
    name: "name-race",
    title: "a header's name length flipped by another process while the client maps the segment never overflows",
    says: /^ok: \d+ opened, \d+ refused with a corrupt name length$/,
  },
  {
    name: "registry-capacity",
    title: "a lookup that times out in a registry of 2 entries lists its names without reading past them",
    says: /^ok: no segment named "missing" in run 0123456789abcdef within 1 ms; registered: none$/,
  },
  {
    name: "arena-page",
    title: "an arena page size halved by another process after the client checked it does not move segments",
    says: /^ok: the second segment was placed at byte 8192, after the first at 4096$/,
  },
  {
    name: "beyond-file",
    title: "a registry entry that places its segment past the end of its file is refused, not mapped",
    says: /^ok: segment \S+\/arena-0@8192: the registry places it at bytes 8192\.\.12288 of a file of 4096 bytes/,
  },
  {
    name: "registry-truncated",
    title: "a registry shrunk to 0 bytes by another process is named by every later call, not a SIGBUS",
    says: /^ok: segment "registry" \(\S+\/registry\) was truncated while this process had it mapped: its file holds 0 of its 65856 bytes/,
  },
  {
    name: "chained-sigbus",
    title: "a SIGBUS outside the client's mappings goes to the handler the program installed before",
    says: /^the program's own SIGBUS handler ran$/,
    ends: () => ({ status: { code: 42, signal: null } }),
  },
  {
    name: "foreign-sigbus",
    title: "a SIGBUS outside the client's mappings ends the program as it would without the client",
    says: /^$/,
    // Under AddressSanitizer its own SIGBUS handler was there first, and reports.
    ends: (build) =>
      build.name === "plain build"
        ? { status: { code: null, signal: "SIGBUS" } }
        : { status: { code: 86, signal: null }, stderr: /AddressSanitizer: BUS/ },
  },
];

export function hostileCTests(build: CBuild): void {
  let directory = "";
  let binary = "";
  after(() => {
    if (directory !== "") rmSync(directory, { recursive: true, force: true });
  });
  for (const hostile of CASES) {
    test(`C client (${build.name}): ${hostile.title}`, build.options, async (t) => {
      build.required();
      if (binary === "") {
        directory = mkdtempSync(join(tmpdir(), "conflux-clients-"));
        binary = build.compile(directory, "hostile_c", ["test/clients/hostile_c.c"]);
      }
      const run = scratchDirectory(t);
      const program = startProgram(t, [binary, hostile.name, run], build.environment);
      const status = await program.exited;
      const ends = hostile.ends?.(build) ?? { status: { code: 0, signal: null } };
      assert.deepEqual(status, ends.status, `${program.stdout()}${program.stderr()}`);
      assert.match(program.stdout().trimEnd(), hostile.says);
      if (ends.stderr !== undefined) assert.match(program.stderr(), ends.stderr);
    });
  }
}
