// The C and Python clients against the golden images of the wire format
// (test/golden/*.bin, written by the TypeScript code): each client writes every
// image through its own code and gets the same bytes, reads the images back to
// the same values, and refuses the same corrupt headers for the same reasons.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readHeader, SegmentHeaderError, SegmentKind } from "../../src/wire/segment-header.ts";
import { GOLDEN_FILES } from "../golden/images.ts";
import { protocolConstantsText } from "../golden/protocol-constants.ts";
import { assertSameBytes } from "../golden/same-bytes.ts";
import { type GoldenInterpolation, interpolationCasesText } from "../golden/time-interpolation-cases.ts";
import { projectRoot } from "../support/child-process.ts";
import { C_COMPILER, type Gate, needs, PYTHON } from "../support/requirements.ts";
import { compileWithClient, pythonAtomics, pythonCommand, pythonEnvironment, sanitizedBuild } from "./toolchain.ts";

const GOLDEN_DIRECTORY = join(projectRoot, "test/golden");

/** What every client reads from the golden images (payload doubles as their bits). */
const READING = `header name=appA.mesh.surface payload=832 created=1714000000123
registry generation=2
entry appA.channel file=seg-0a1b2c3d4e5f offset=0 length=1216 kind=2 pid=4242
entry appA.mesh.surface file=seg-a0b1c2d3e4f5 offset=0 length=1088 kind=3 pid=4243
record sequence=0 opcode=0x0020 flags=0x0000 length=16 correlation=0x00000000 payload=401c000000000000,0000000000000000,0000000000000000,0000000000000000,0000000000000000,0000000000000000
record sequence=1 opcode=0x0041 flags=0x8001 length=48 correlation=0x89abcdef payload=3ff8000000000000,c002000000000000,7e37e43c8800759c,8000000000000000,0000000000000001,400921fb54442d18
ring empty
channel capacity=4 driver=4242
mesh-soa dimension=3 count=5 layout=0 fields=temperature,flux coordinates=576 fields_offset=704 stride=64
mesh-interleaved dimension=2 count=3 layout=1 fields=u,v,pressure coordinates=576 fields_offset=640 stride=64
waveform name=appA.surface.temperature.waveform role=2 count=3 capacity=4 degree=2 n=3 start=0.5 times=0.5,0.55000000000000004,0.59999999999999998 values=3ff8000000000000,c002000000000000,0000000000000000,4008000000000000,7e37e43c8800759c,8000000000000000,0000000000000001,400921fb54442d18,401c000000000000
`;

interface Corruption {
  name: string;
  /** The mesh segment (header.bin + mesh-soa.bin), changed. */
  bytes: (segment: Uint8Array) => Uint8Array;
  kind: number;
  runId: string | undefined;
  /** What every reader's message must say; undefined: the header is fine. */
  says: RegExp | undefined;
}

const intact = () => new Uint8Array([...read("header.bin"), ...read("mesh-soa.bin")]);
const withWord = (at: number, value: number) => (segment: Uint8Array) => {
  new DataView(segment.buffer).setUint32(at, value, true);
  return segment;
};

const CORRUPTIONS: Corruption[] = [
  { name: "intact", bytes: (s) => s, kind: SegmentKind.mesh, runId: "0123456789abcdef", says: undefined },
  {
    name: "foreign magic",
    bytes: withWord(0, 0),
    kind: -1,
    runId: undefined,
    says: /not a conflux segment \(magic 0x00000000, expected 0x584c4643 "CFLX"\)/,
  },
  {
    name: "other byte order",
    bytes: withWord(0, 0x43464c58),
    kind: -1,
    runId: undefined,
    says: /written in the other byte order/,
  },
  {
    name: "corrupt byte-order mark",
    bytes: withWord(4, 0x01010101),
    kind: -1,
    runId: undefined,
    says: /byte-order mark 0x1010101 is corrupt/,
  },
  {
    name: "layout version 2",
    bytes: withWord(8, 2),
    kind: -1,
    runId: undefined,
    says: /segment layout version 2, but this conflux (client )?reads version 1/,
  },
  {
    name: "shorter than a header",
    bytes: (s) => s.slice(0, 100),
    kind: -1,
    runId: undefined,
    says: /truncated: 100 bytes, shorter than its 256-byte header/,
  },
  {
    name: "shorter than its payload",
    bytes: (s) => s.slice(0, 300),
    kind: -1,
    runId: undefined,
    says: /the header announces 832 payload bytes but only 44 are there/,
  },
  {
    // 256 + 2^64 - 100 wraps to 156 in 64-bit arithmetic: a reader that adds them finds the 1,088 bytes enough.
    name: "payload size near 2^64",
    bytes: (segment) => {
      new DataView(segment.buffer).setBigUint64(16, 2n ** 64n - 100n, true);
      return segment;
    },
    kind: -1,
    runId: undefined,
    says: /truncated: the header announces \d+ payload bytes but only 832 are there/,
  },
  {
    name: "corrupt header size",
    bytes: withWord(12, 128),
    kind: -1,
    runId: undefined,
    says: /header size 128, expected 256/,
  },
  { name: "empty name", bytes: withWord(56, 0), kind: -1, runId: undefined, says: /name length 0 is outside 1\.\.96/ },
  { name: "another kind", bytes: (s) => s, kind: SegmentKind.ring, runId: undefined, says: /holds a mesh, not a ring/ },
  {
    name: "another run",
    bytes: (s) => s,
    kind: -1,
    runId: "fedcba9876543210",
    says: /belongs to run 0123456789abcdef, not to run fedcba9876543210/,
  },
];

function read(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(GOLDEN_DIRECTORY, file)));
}

let directory = "";
before(() => {
  directory = mkdtempSync(join(tmpdir(), "conflux-golden-"));
});
after(() => rmSync(directory, { recursive: true, force: true }));

/** Writes each corruption to a file; returns [corruption, path]. */
function corruptFiles(): [Corruption, string][] {
  return CORRUPTIONS.map((corruption, index) => {
    const path = join(directory, `corrupt-${index}.bin`);
    writeFileSync(path, corruption.bytes(intact()));
    return [corruption, path];
  });
}

test("the TypeScript reader refuses each corrupt header with its own message", () => {
  for (const [corruption, path] of corruptFiles()) {
    const bytes = new Uint8Array(readFileSync(path));
    const expect = {
      ...(corruption.kind >= 0 ? { kind: corruption.kind as SegmentKind } : {}),
      ...(corruption.runId ? { runId: corruption.runId } : {}),
    };
    let message = "ok";
    try {
      readHeader(Uint8Array.from(bytes).buffer, 0, Math.max(bytes.length, 0), path, expect);
    } catch (error) {
      assert.ok(error instanceof SegmentHeaderError, String(error));
      message = error.message;
    }
    if (corruption.says === undefined) assert.equal(message, "ok", corruption.name);
    else assert.match(message, corruption.says, corruption.name);
  }
});

const GOLDEN_WEIGHTS = (
  JSON.parse(readFileSync(join(GOLDEN_DIRECTORY, "time-interpolation.json"), "utf8")) as {
    cases: GoldenInterpolation[];
  }
).cases;

interface Client {
  name: string;
  options: Gate;
  run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string };
}

function clients(): Client[] {
  const list: Client[] = [];
  let binary = "";
  list.push({
    name: "C",
    options: needs(C_COMPILER),
    run(args, input) {
      if (binary === "") binary = compileWithClient(directory, "golden_c", ["test/clients/golden_c.c"]);
      return spawnSync(binary, args, { encoding: "utf8", input });
    },
  });
  // The same C client under AddressSanitizer and UndefinedBehaviorSanitizer.
  const sanitized = sanitizedBuild();
  let sanitizedBinary = "";
  list.push({
    name: `C (${sanitized.name})`,
    options: sanitized.options,
    run(args, input) {
      sanitized.required();
      if (sanitizedBinary === "") {
        sanitizedBinary = sanitized.compile(directory, "golden_c_sanitized", ["test/clients/golden_c.c"]);
      }
      return spawnSync(sanitizedBinary, args, {
        encoding: "utf8",
        input,
        env: { ...process.env, ...sanitized.environment },
      });
    },
  });
  const python = pythonCommand();
  const atomics = python === undefined ? ["none"] : pythonAtomics(python);
  for (const backend of atomics) {
    list.push({
      name: `Python (atomics: ${backend})`,
      options: needs(PYTHON),
      run: (args, input) =>
        spawnSync(python as string, [join(projectRoot, "test/clients/golden_py.py"), ...args], {
          encoding: "utf8",
          input,
          env: { ...process.env, ...pythonEnvironment({ CONFLUX_PYTHON_ATOMICS: backend }) },
        }),
    });
  }
  return list;
}

for (const client of clients()) {
  const options = client.options;

  test(`the ${client.name} client writes every golden image byte for byte`, options, () => {
    const out = mkdtempSync(join(directory, "images-"));
    const written = client.run(["write", out]);
    assert.equal(written.status, 0, written.stderr);
    for (const file of GOLDEN_FILES) {
      assertSameBytes(new Uint8Array(readFileSync(join(out, file))), read(file), `${client.name} ${file}`);
    }
  });

  test(`the ${client.name} client reads the golden images back`, options, () => {
    const reading = client.run(["read", GOLDEN_DIRECTORY]);
    assert.equal(reading.status, 0, reading.stderr);
    assert.equal(reading.stdout, READING);
  });

  test(`the ${client.name} client has the protocol's and the waveform layout's constants`, options, () => {
    const printed = client.run(["constants"]);
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stdout, protocolConstantsText());
  });

  test(`the ${client.name} client interpolates in time with the golden weights`, options, () => {
    const computed = client.run(["weights"], interpolationCasesText(GOLDEN_WEIGHTS));
    assert.equal(computed.status, 0, computed.stderr);
    const lines = computed.stdout.trimEnd().split("\n");
    let at = 0;
    GOLDEN_WEIGHTS.forEach((item, index) => {
      assert.equal(lines[at++], `case used-degree=${item.usedDegree}`, `case ${index}`);
      for (const read of item.reads) {
        const weights = (lines[at++] ?? "").split(" ").map(Number);
        assert.equal(weights.length, read.weights.length, `case ${index}, read ${read.time}`);
        weights.forEach((weight, i) => {
          const expected = read.weights[i] as number;
          assert.ok(
            Math.abs(weight - expected) <= 1e-13,
            `case ${index}, read ${read.time}, weight ${i}: ${weight} vs ${expected}`,
          );
        });
      }
    });
    assert.equal(at, lines.length, "one line a case and a read");
  });

  test(`the ${client.name} client refuses each corrupt header with the TypeScript reader's reason`, options, () => {
    const files = corruptFiles();
    const checked = client.run([
      "check-header",
      ...files.flatMap(([c, path]) => [path, String(c.kind), c.runId ?? "-"]),
    ]);
    assert.equal(checked.status, 0, checked.stderr);
    const lines = checked.stdout.trimEnd().split("\n");
    assert.equal(lines.length, files.length, checked.stdout);
    files.forEach(([corruption, path], index) => {
      const line = lines[index] ?? "";
      if (corruption.says === undefined) assert.equal(line, "ok", corruption.name);
      else
        assert.match(line, new RegExp(`^segment ${path}: .*${corruption.says.source}`), `${corruption.name}: ${line}`);
    });
  });
}
