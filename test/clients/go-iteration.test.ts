// A driver's go whose iteration is not a whole number from 0 to 2^31 − 1 (NaN,
// ±Infinity, negative, fractional, 1e300) ends a C or Python component with a
// protocol error that names the value: never a cast of it (undefined in C) or a
// step number the component makes up. A component of an iteration run refuses
// a window (protocol version 2's, of a run in physical time) by name. The driver is this test, through the
// TypeScript channel; the component is a real process (the examples' appA in C,
// appB in Python).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import { DRIVER_ACCEPTS, Opcode } from "../../src/wire/protocol.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { cAppA, type ExampleComponent, pythonAppB } from "./example-components.ts";
import { startProgram } from "./programs.ts";
import { plainBuild, sanitizedBuild } from "./toolchain.ts";

const BAD_ITERATIONS = [Number.NaN, Number.POSITIVE_INFINITY, -1, 2.5, 1e300, 2 ** 31];
const ARGS = JSON.stringify({ points: 40, neighbours: 2, sweeps: 1 });
const SAYS = /the driver's go carries iteration \S+, which is not a whole number from 0 to 2147483647/;

const COMPONENTS: ExampleComponent[] = [cAppA(plainBuild()), cAppA(sanitizedBuild()), pythonAppB()];

for (const component of COMPONENTS) {
  test(
    `a ${component.language} component refuses a go whose iteration is NaN, infinite, negative, fractional or too large`,
    component.options,
    async (t) => {
      const command = component.command(t);
      for (const iteration of BAD_ITERATIONS) {
        const run = scratchRun(t);
        const channel = Channel.create(run, `${component.name}.channel`, {
          capacity: 4,
          opcodes: DRIVER_ACCEPTS,
          wait: { kind: "hybrid", timeoutNs: 60e9 },
        });
        t.after(() => channel.close());
        const program = startProgram(t, command, {
          ...component.environment,
          CONFLUX_RUN_DIR: run.directory,
          CONFLUX_COMPONENT_NAME: component.name,
          CONFLUX_COMPONENT_ARGS: ARGS,
        });
        const message = new Message();
        channel.receive(message);
        assert.equal(message.opcode, Opcode.hello, "the component said hello");
        channel.send(new Message().set(Opcode.ack));
        channel.send(new Message().set(Opcode.go, iteration));
        const status = await program.exited;
        assert.deepEqual(status, { code: 1, signal: null }, `iteration ${iteration}: ${program.stderr()}`);
        assert.match(program.stderr(), SAYS, `iteration ${iteration}`);
      }
    },
  );
}

for (const component of COMPONENTS) {
  test(
    `a ${component.language} component written for iteration runs refuses a window by name`,
    component.options,
    async (t) => {
      const run = scratchRun(t);
      const channel = Channel.create(run, `${component.name}.channel`, {
        capacity: 4,
        opcodes: DRIVER_ACCEPTS,
        wait: { kind: "hybrid", timeoutNs: 60e9 },
      });
      t.after(() => channel.close());
      const program = startProgram(t, component.command(t), {
        ...component.environment,
        CONFLUX_RUN_DIR: run.directory,
        CONFLUX_COMPONENT_NAME: component.name,
        CONFLUX_COMPONENT_ARGS: ARGS,
      });
      const message = new Message();
      channel.receive(message);
      assert.equal(message.opcode, Opcode.hello, "the component said hello");
      channel.send(new Message().set(Opcode.ack));
      const window = new Message().set(Opcode.window, 0, 0);
      window.payload.set([0, 0, 0, 0.1, 0, 1]);
      window.length = 48;
      channel.send(window);
      assert.deepEqual(await program.exited, { code: 1, signal: null }, program.stderr());
      assert.match(program.stderr(), /the driver sent window: this is a run in physical time/);
    },
  );
}
