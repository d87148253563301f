// What a C or Python component reads from its channel is checked where it is
// used: ring counters (0 ≤ tail − head ≤ capacity) and the control line's
// capacity against each ring's own (or the rings overlap). The driver is this
// test, through the TypeScript channel, scribbling on the channel through a
// mapping of its own; the component is a real process (appA in C, appB in Python).
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import { DRIVER_ACCEPTS, Opcode } from "../../src/wire/protocol.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { cAppA, type ExampleComponent, pythonAppB } from "./example-components.ts";
import { startProgram } from "./programs.ts";
import { plainBuild, sanitizedBuild } from "./toolchain.ts";

const COMPONENTS: ExampleComponent[] = [cAppA(plainBuild()), cAppA(sanitizedBuild()), pythonAppB()];

/** Byte offsets in the channel's payload: the ring to the component starts after the 64-byte control line. */
const TO_COMPONENT_TAIL = 64;
const TO_COMPONENT_CAPACITY = 64 + 136;
const TO_COMPONENT_VERSION = 64 + 132;

for (const component of COMPONENTS) {
  const launch = (t: TestContext, scribble: (words: DataView) => void, handshake: boolean) => {
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
    if (!handshake) scribble(words);
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
      scribble(words);
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
}
