// A signal that arrives while the addon polls a pidfd (a SIGCHLD whenever any child of the driver ends) fails the
// poll with EINTR even with a zero timeout. That once read as "the peer died" and ended a run whose component was
// alive and about to say bye. A storm of signals must not make a live process look dead.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { native } from "../../src/native/index.ts";

test("a live process stays alive to pidfdAlive and isAlive while signals hit the asking process", async () => {
  const onSignal = () => {};
  process.on("SIGUSR2", onSignal);
  let endedPid = 0;
  const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
  const storm = spawn("bash", ["-c", `while kill -USR2 ${process.pid} 2>/dev/null; do :; done`], { stdio: "ignore" });
  try {
    const fd = native.pidfdOpen(sleeper.pid as number);
    let seenDead = 0;
    let asked = 0;
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      // Yield now and then: the event loop's signal pipe holds a few thousand signals, and a SIGCHLD that finds it
      // full is dropped, so the children's exits below would never be seen.
      if (asked % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
      asked++;
      if (!native.pidfdAlive(fd)) seenDead++;
      if (!native.isAlive(sleeper.pid as number)) seenDead++;
    }
    native.closeFd(fd);
    assert.ok(asked > 1000, `asked ${asked} times`);
    assert.equal(seenDead, 0, `${seenDead} of ${2 * asked} answers said a live process was dead`);
  } finally {
    const exits = Promise.all([once(storm, "exit"), once(sleeper, "exit")]);
    storm.kill("SIGKILL");
    sleeper.kill("SIGKILL");
    await exits;
    const ended = spawn("true", { stdio: "ignore" });
    await once(ended, "exit");
    process.removeListener("SIGUSR2", onSignal);
    endedPid = ended.pid as number;
  }
  // And a process that has ended is dead.
  assert.equal(native.isAlive(endedPid), false);
});
