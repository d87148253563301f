// How a component learns that its driver has gone, by CONFLUX_DRIVER_LIVENESS:
// "pid" watches the driver's pid from the channel's control line; "enclave"
// (a pid namespace or a guest, where that pid names nobody) trusts the enclave
// and watches only the channel's closed flag. The driver's pid word is pointed
// at a process that has really ended.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { type TestContext, test } from "node:test";
import { Component } from "../../src/component/component.ts";
import { Channel } from "../../src/queue/channel.ts";
import type { Run } from "../../src/shm/run.ts";
import { channelName } from "../../src/wire/protocol.ts";
import { scratchRun } from "../support/scratch-run.ts";

/** The driver pid word of the channel's control line (docs/wire-format.md, "Channel"). */
const DRIVER_PID_WORD = 3;

function driverChannelOfDeadDriver(t: TestContext, run: Run, name: string): Channel {
  const channel = Channel.create(run, channelName(name));
  t.after(() => channel.close());
  const ended = spawnSync("true");
  assert.ok(ended.pid !== undefined && ended.pid > 0 && ended.status === 0);
  Atomics.store(channel.segment.int32(0, 16), DRIVER_PID_WORD, ended.pid);
  return channel;
}

function connect(t: TestContext, run: Run, name: string, liveness: string): Component {
  const component = Component.connect({
    environment: {
      CONFLUX_COMPONENT_NAME: name,
      CONFLUX_RUN_DIR: run.directory,
      CONFLUX_WAIT: JSON.stringify({ kind: "spin", timeoutNs: 300e6 }),
      CONFLUX_DRIVER_LIVENESS: liveness,
    },
    timeoutMs: 1000,
  });
  t.after(() => component.close());
  return component;
}

test('with "pid", a component waiting for its driver reports the driver dead', (t) => {
  const run = scratchRun(t);
  driverChannelOfDeadDriver(t, run, "watcher");
  const component = connect(t, run, "watcher", "pid");
  assert.throws(() => component.nextStep(), /the driver \(pid \d+\) died while this side waited/);
});

test('with "enclave", the driver\'s pid is not looked at: the wait ends by timeout or by the driver closing', (t) => {
  const run = scratchRun(t);
  const driver = driverChannelOfDeadDriver(t, run, "trusting");
  const component = connect(t, run, "trusting", "enclave");
  assert.throws(() => component.nextStep(), /the driver did not .* within 300 ms/);
  driver.close();
  assert.throws(() => component.nextStep(), /the driver closed the channel/);
});

test("a driver liveness no enclave sets is refused, naming the variable and the values it takes", (t) => {
  const run = scratchRun(t);
  driverChannelOfDeadDriver(t, run, "confused");
  assert.throws(
    () => connect(t, run, "confused", "namespace"),
    /CONFLUX_DRIVER_LIVENESS is "namespace"; it must be "pid" or "enclave" \(or unset\)/,
  );
});
