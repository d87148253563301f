// What a C or Python component reads from its channel and the run's registry
// is checked where it is used: ring counters (0 ≤ tail − head ≤ capacity), the
// control line's capacity against each ring's own (or the rings overlap), and
// the file a registry entry names (a plain name in the run directory, not a
// path, not "..", not a symbolic link). The driver is this test, through the
// TypeScript channel, scribbling on the channel through a mapping of its own
// and on the registry through its file; the component is a real process (appA
// in C, plain and sanitized, and appB in Python).
import assert from "node:assert/strict";
import { closeSync, openSync, readSync, symlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import type { Run } from "../../src/shm/run.ts";
import { DRIVER_ACCEPTS, Opcode } from "../../src/wire/protocol.ts";
import { EntryOffset, REGISTRY_CAPACITY, REGISTRY_ENTRY_SIZE, REGISTRY_TABLE_OFFSET } from "../../src/wire/registry.ts";
import { HEADER_SIZE } from "../../src/wire/segment-header.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { cAppA, type ExampleComponent, pythonAppB } from "./example-components.ts";
import { startProgram } from "./programs.ts";
import { plainBuild, sanitizedBuild } from "./toolchain.ts";

const COMPONENTS: ExampleComponent[] = [cAppA(plainBuild()), cAppA(sanitizedBuild()), pythonAppB()];

/** Byte offsets in the channel's payload: the ring to the component starts after the 64-byte control line. */
const TO_COMPONENT_TAIL = 64;
const TO_COMPONENT_CAPACITY = 64 + 136;
const TO_COMPONENT_VERSION = 64 + 132;

/**
 * Rewrites the file name of `name`'s registry entry in place, as `file` of the name it had, through the registry's
 * file (whose pages every mapping shares), as a hostile process of the run could; returns the name it wrote.
 */
function rewriteEntryFile(run: Run, name: string, file: (had: string) => string): string {
  const fd = openSync(run.registryPath, "r+");
  try {
    const table = Buffer.alloc(REGISTRY_CAPACITY * REGISTRY_ENTRY_SIZE);
    readSync(fd, table, 0, table.length, HEADER_SIZE + REGISTRY_TABLE_OFFSET);
    for (let index = 0; index < REGISTRY_CAPACITY; index++) {
      const entry = table.subarray(index * REGISTRY_ENTRY_SIZE, (index + 1) * REGISTRY_ENTRY_SIZE);
      const nameLength = entry.readUInt32LE(EntryOffset.nameLength);
      if (entry.subarray(EntryOffset.name, EntryOffset.name + nameLength).toString() !== name) continue;
      const had = entry.subarray(EntryOffset.file, EntryOffset.file + entry.readUInt32LE(EntryOffset.fileLength));
      const written = file(had.toString());
      const bytes = Buffer.from(written);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      const at = HEADER_SIZE + REGISTRY_TABLE_OFFSET + index * REGISTRY_ENTRY_SIZE;
      writeSync(fd, Buffer.concat([bytes, Buffer.alloc(1)]), 0, bytes.length + 1, at + EntryOffset.file);
      writeSync(fd, length, 0, 4, at + EntryOffset.fileLength);
      return written;
    }
    throw new Error(`no registry entry named ${name}`);
  } finally {
    closeSync(fd);
  }
}

for (const component of COMPONENTS) {
  const launch = (t: TestContext, scribble: (words: DataView, run: Run) => void, handshake: boolean) => {
    const run = scratchRun(t);
    const channel = Channel.create(run, `${component.name}.channel`, {
      capacity: 4,
      opcodes: DRIVER_ACCEPTS,
      wait: { kind: "hybrid", timeoutNs: 60e9 },
    });
    t.after(() => channel.close());
    const own = run.openSegment(`${component.name}.channel`);
    t.after(() => own.close());
    const bytes = own.bytes();
    const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!handshake) scribble(words, run);
    const program = startProgram(t, component.command(t), {
      ...component.environment,
      CONFLUX_RUN_DIR: run.directory,
      CONFLUX_COMPONENT_NAME: component.name,
      CONFLUX_COMPONENT_ARGS: JSON.stringify({ points: 40, neighbours: 2, sweeps: 1 }),
    });
    if (handshake) {
      const message = new Message();
      channel.receive(message);
      assert.equal(message.opcode, Opcode.hello);
      channel.send(new Message().set(Opcode.ack));
      scribble(words, run);
    }
    return program;
  };

  test(
    `a ${component.language} component refuses ring counters with more records in flight than the ring holds`,
    component.options,
    async (t) => {
      const program = launch(t, (words) => words.setUint32(TO_COMPONENT_TAIL, 1000, true), true);
      assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
      assert.match(
        program.stderr(),
        /ring counters from the driver are corrupt: tail 1000, head [01], (1000|999) records in flight in a ring of 4/,
      );
    },
  );

  test(
    `a ${component.language} component refuses a ring of layout version 1 (a driver of an older conflux) by name`,
    component.options,
    async (t) => {
      const program = launch(t, (words) => words.setUint32(TO_COMPONENT_VERSION, 1, true), false);
      assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
      assert.match(
        program.stderr(),
        /ring layout version 1, this conflux client speaks 2; use one conflux release for every component/,
      );
    },
  );

  test(
    `a ${component.language} component refuses a channel whose ring capacity differs from its control line's`,
    component.options,
    async (t) => {
      const program = launch(t, (words) => words.setUint32(TO_COMPONENT_CAPACITY, 2, true), false);
      assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
      assert.match(
        program.stderr(),
        /the control line says rings of 4 records, the rings say 2 and 4: the channel is corrupt/,
      );
    },
  );

  // The component finds its channel by the registry entry the driver made: what that entry names is opened only
  // when it is a file directly in the run directory, and never through a link.
  const channel = `${component.name}.channel`;
  for (const [what, file] of [
    ["a path out of the run directory", (had: string) => `../${had}`],
    ['".."', () => ".."],
  ] as const) {
    test(
      `a ${component.language} component refuses a registry entry whose file is ${what}`,
      component.options,
      async (t) => {
        let named = "";
        const program = launch(
          t,
          (_, run) => {
            named = rewriteEntryFile(run, channel, file);
          },
          false,
        );
        assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
        assert.ok(
          program.stderr().includes(`registry entry "${channel}": file name "${named}" is not a plain file name`),
          program.stderr(),
        );
      },
    );
  }

  test(
    `a ${component.language} component refuses a registry entry that names a symbolic link, even to its own segment`,
    component.options,
    async (t) => {
      let link = "";
      const program = launch(
        t,
        (_, run) => {
          link = join(run.directory, "link-to-channel");
          rewriteEntryFile(run, channel, (had) => {
            symlinkSync(had, link);
            return "link-to-channel";
          });
        },
        false,
      );
      assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
      assert.ok(
        program.stderr().includes(`segment ${link} is a symbolic link; a segment is a file of its run`),
        program.stderr(),
      );
    },
  );
}
