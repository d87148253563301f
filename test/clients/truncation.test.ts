// A segment a C or Python component has mapped, shrunk by another process while
// the component uses it, ends the component with an error that names the
// segment and the bytes left, never with SIGBUS. The driver is this test,
// through the TypeScript channel; the component is a real process (the examples'
// appA in C, plain and under the sanitizers, appB in Python).
import assert from "node:assert/strict";
import { truncateSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { Channel } from "../../src/queue/channel.ts";
import { Message } from "../../src/queue/message.ts";
import type { Run } from "../../src/shm/run.ts";
import { DRIVER_ACCEPTS, Opcode } from "../../src/wire/protocol.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { cAppA, type ExampleComponent, pythonAppB } from "./example-components.ts";
import { startProgram } from "./programs.ts";
import { plainBuild, sanitizedBuild } from "./toolchain.ts";

const COMPONENTS: ExampleComponent[] = [
  cAppA(plainBuild()),
  cAppA(sanitizedBuild()),
  pythonAppB(),
  pythonAppB("Python (no SIGBUS handler: fstat checks only)", { CONFLUX_PYTHON_SIGBUS: "off" }),
];

function fileOf(run: Run, name: string): string {
  const entry = run.segments().find((segment) => segment.name === name);
  assert.ok(entry, `${name} is registered`);
  return join(run.directory, entry.file);
}

/** Starts the component and takes it through hello and ack; returns the channel and the program. */
function started(t: TestContext, component: ExampleComponent, command: string[], points = 40) {
  const run = scratchRun(t);
  const channel = Channel.create(run, `${component.name}.channel`, {
    capacity: 4,
    opcodes: DRIVER_ACCEPTS,
    wait: { kind: "hybrid", timeoutNs: 60e9 },
  });
  const program = startProgram(t, command, {
    ...component.environment,
    CONFLUX_RUN_DIR: run.directory,
    CONFLUX_COMPONENT_NAME: component.name,
    CONFLUX_COMPONENT_ARGS: JSON.stringify({ points, neighbours: 2, sweeps: 1 }),
  });
  const message = new Message();
  channel.receive(message);
  assert.equal(message.opcode, Opcode.hello, "the component said hello");
  channel.send(new Message().set(Opcode.ack));
  return { run, channel, program };
}

for (const component of COMPONENTS) {
  // Without its handler the Python client would die of this SIGBUS: the limit its README states.
  if (!component.language.includes("fstat checks only"))
    test(
      `a ${component.language} component whose channel is truncated while it waits fails naming the channel`,
      component.options,
      async (t) => {
        const { run, program } = started(t, component, component.command(t));
        // From here on this process must not touch the channel either: the test's own mapping is truncated too.
        truncateSync(fileOf(run, `${component.name}.channel`), 0);
        const status = await program.exited;
        assert.deepEqual(status, { code: 1, signal: null }, program.stderr());
        assert.match(
          program.stderr(),
          new RegExp(
            `segment "${component.name}\\.channel" \\(\\S+\\) was truncated while this process had it mapped: its file holds 0 of its 1216 bytes`,
          ),
        );
      },
    );

  for (const [points, to, how] of [
    [200, 100, "across pages"],
    [40, 1000, "inside its one page (no SIGBUS there)"],
  ] as const) {
    test(
      `a ${component.language} component whose mesh is truncated between steps, ${how}, fails naming the mesh`,
      component.options,
      async (t) => {
        const { run, channel, program } = started(t, component, component.command(t), points);
        t.after(() => channel.close());
        truncateSync(fileOf(run, `${component.name}.mesh.surface`), to);
        channel.send(new Message().set(Opcode.go, 0));
        const status = await program.exited;
        assert.deepEqual(status, { code: 1, signal: null }, program.stderr());
        assert.match(
          program.stderr(),
          new RegExp(
            `segment "${component.name}\\.mesh\\.surface" \\(\\S+\\) was truncated while this process had it mapped: its file holds ${to} of its \\d+ bytes`,
          ),
        );
      },
    );
  }
}
