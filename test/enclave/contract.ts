// What every enclave backend must do, as node:test tests over real processes
// and workers. A backend's test file calls enclaveContract(kind); nothing here
// knows how a backend works, only what the Enclave interface promises.
import assert from "node:assert/strict";
import { release } from "node:os";
import { type TestContext, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createEnclave } from "../../src/enclave/create-enclave.ts";
import type { Enclave, EnclaveOptions } from "../../src/enclave/enclave.ts";
import { REDACTED } from "../../src/enclave/environment-description.ts";
import type { EnclaveKind } from "../../src/enclave/kind.ts";
import type { ComponentLaunch } from "../../src/enclave/launch.ts";
import type { OutputSink } from "../../src/enclave/output-capture.ts";
import { cgroupBases, cgroupHost } from "../../src/enclave/resources/cgroup-host.ts";
import { reapDeadCgroups } from "../../src/enclave/resources/cgroup-reaper.ts";
import { enclaveCgroupsUnder } from "../../src/enclave/resources/enclave-cgroup.ts";
import { native } from "../../src/native/index.ts";
import type { Run } from "../../src/shm/run.ts";
import { startFixture } from "../support/child-process.ts";
import { CGROUPS, enclaveNeeds, needs, type Requirement, SETPRIV } from "../support/requirements.ts";
import { scratchRun } from "../support/scratch-run.ts";

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
}

/** Collects what a component prints, and lets a test wait for a line. */
export class CollectingSink implements OutputSink {
  text = "";
  private waiters: (() => void)[] = [];

  write(text: string): void {
    this.text += text;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  async waitFor(pattern: RegExp, enclave: Enclave): Promise<void> {
    while (!pattern.test(this.text)) {
      if (enclave.hasExited()) {
        assert.fail(`${enclave.name} ended before printing ${pattern}; it printed:\n${this.text}`);
      }
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), enclave.exited]);
    }
  }
}

type TestLaunch = Omit<ComponentLaunch, "runDirectory"> & { runDirectory?: string };

/**
 * Creates an enclave whose end the test must bring about. Afterwards, pass or
 * fail, nothing of it may run: one left running is killed and fails the test.
 */
export function launchFor(
  t: TestContext,
  kind: EnclaveKind,
  launch: TestLaunch,
  options: EnclaveOptions = {},
): { enclave: Enclave; sink: CollectingSink } {
  const sink = new CollectingSink();
  const enclave = createEnclave(
    kind,
    { runDirectory: "/nonexistent-run", ...launch },
    { output: sink, handleSignals: false, ...options },
  );
  t.after(async () => {
    const leftRunning = !enclave.hasExited();
    if (leftRunning) enclave.kill();
    const status = await enclave.exited;
    if (status.cause !== "launch" && enclave.pid !== process.pid) {
      assert.equal(native.isAlive(enclave.pid), false, `${enclave.name}'s process ${enclave.pid} still runs`);
    }
    assert.equal(enclave.isAlive(), false);
    assert.equal(leftRunning, false, `the test left ${enclave.name} running`);
  });
  return { enclave, sink };
}

function createReportSegment(run: Run, name: string) {
  return run.createSegment(name, 4096);
}

function readReport(run: Run, name: string): Record<string, unknown> {
  const segment = run.openSegment(name);
  const length = Atomics.load(segment.int32(0, 1), 0);
  const text = new TextDecoder().decode(segment.bytes(4, length));
  segment.close();
  return JSON.parse(text) as Record<string, unknown>;
}

/** Polls `isAlive()` without giving the event loop a turn; the milliseconds until it said false, or undefined. */
/** How long a synchronous poll of isAlive() may go on before the test fails: far beyond any measured end. */
const LIVENESS_LIMIT_MS = 5000;

function msUntilDead(enclave: Enclave, limitMs: number, sinceNs = native.monotonicNs()): number | undefined {
  for (;;) {
    const elapsedMs = (native.monotonicNs() - sinceNs) / 1e6;
    if (!enclave.isAlive()) return elapsedMs;
    if (elapsedMs > limitMs) return undefined;
    native.schedYield();
  }
}

export interface ContractOptions {
  /** What the backend needs from this machine (default: what `conflux doctor` checks for the kind). */
  needs?: readonly Requirement[];
  /**
   * How long a supervisor process may take to start its component (default:
   * nextLine's 20 s, many times what a process or thread needs). A backend
   * whose start is slow and varies with the machine's load (a VM boots)
   * derives the wait from a start it measured, and is told each start the
   * test measured.
   */
  supervisorStart?: { waitMs(t: TestContext): Promise<number>; observe(ms: number): void };
}

export function enclaveContract(kind: EnclaveKind, options: ContractOptions = {}): void {
  const where = `${kind} enclave`;
  // Kinds container and vm need Debian packages: without them every test says which, and skips (or fails in CI).
  const gate = needs(options.needs ?? enclaveNeeds(kind));

  test(`${where}: a module starts, sees its run directory and arguments, and joins the run`, gate, async (t) => {
    const run = scratchRun(t);
    createReportSegment(run, "report");
    const { enclave } = launchFor(t, kind, {
      name: "reporter",
      module: fixture("report"),
      runDirectory: run.directory,
      args: { segment: "report", mesh: { points: 3000, dimension: 3 } },
      env: { CONFLUX_TEST_EXTRA: "extra value", CONFLUX_RUN_DIR: "an override that must lose" },
    });
    await enclave.start();
    assert.equal((await enclave.exited).code, 0, enclave.output().stderr);
    assert.deepEqual(readReport(run, "report"), {
      runDirectory: run.directory,
      name: "reporter",
      args: { segment: "report", mesh: { points: 3000, dimension: 3 } },
      extra: "extra value",
      argv1: fixture("report"),
    });
  });

  test(`${where}: two components running at once each see their own environment`, gate, async (t) => {
    const run = scratchRun(t);
    const enclaves = ["left", "right"].map((side) => {
      createReportSegment(run, side);
      return launchFor(t, kind, {
        name: side,
        module: fixture("report"),
        runDirectory: run.directory,
        args: { segment: side },
        env: { CONFLUX_TEST_EXTRA: `${side} only` },
      }).enclave;
    });
    await Promise.all(enclaves.map((enclave) => enclave.start()));
    for (const enclave of enclaves) assert.equal((await enclave.exited).code, 0, enclave.output().stderr);
    assert.equal(readReport(run, "left").extra, "left only");
    assert.equal(readReport(run, "right").extra, "right only");
    assert.equal(readReport(run, "right").name, "right");
  });

  test(`${where}: a component that returns reports exit code 0`, gate, async (t) => {
    const { enclave } = launchFor(t, kind, { name: "returner", module: fixture("ending") });
    await enclave.start();
    assert.deepEqual(await enclave.exited, { code: 0, signal: null, cause: "exit" });
    assert.equal(enclave.hasExited(), true);
  });

  test(`${where}: process.exit(3) reports exit code 3`, gate, async (t) => {
    const { enclave } = launchFor(t, kind, {
      name: "quitter",
      module: fixture("ending"),
      args: { ending: "exit", code: 3 },
    });
    await enclave.start();
    assert.deepEqual(await enclave.exited, { code: 3, signal: null, cause: "exit" });
  });

  for (const ending of ["throw", "throw-later"]) {
    test(`${where}: an uncaught error (${ending}) reports code 1 and the error's text`, gate, async (t) => {
      const { enclave } = launchFor(t, kind, {
        name: "crasher",
        module: fixture("ending"),
        args: { ending, message: "deliberate failure 7" },
      });
      await enclave.start();
      const status = await enclave.exited;
      assert.equal(status.code, 1);
      assert.equal(status.signal, null);
      assert.equal(status.cause, "exit");
      assert.match(`${status.error ?? ""}\n${enclave.output().stderr}`, /deliberate failure 7/);
      assert.match(enclave.output().stderr, /deliberate failure 7/, "the error is in the captured stderr too");
    });
  }

  test(`${where}: stop() ends a component stuck in a busy loop`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, kind, {
      name: "spinner",
      module: fixture("endless"),
      args: { loop: "busy" },
    });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    const status = await enclave.stop(500);
    assert.equal(status.cause, "stop");
    assert.equal(status.code === null && status.signal === null, false, "it says how it ended");
    assert.equal(enclave.isAlive(), false);
    assert.equal(enclave.hasExited(), true);
  });

  test(`${where}: stop() ends a component that ignores SIGTERM once the grace period is over`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, kind, {
      name: "stubborn",
      module: fixture("endless"),
      args: { ignoreSigterm: true },
    });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    const status = await enclave.stop(300);
    assert.equal(status.cause, "stop");
    assert.equal(enclave.isAlive(), false);
    assert.deepEqual(await enclave.stop(), status, "stop() after the end returns the same status");
    enclave.kill();
    assert.deepEqual(await enclave.exited, status, "kill() after the end changes nothing");
  });

  test(`${where}: kill() ends a component at once; isAlive() turns false with no event loop turn`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, kind, {
      name: "victim",
      module: fixture("endless"),
      args: { loop: "busy" },
    });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    assert.equal(enclave.isAlive(), true);
    const since = native.monotonicNs();
    enclave.kill();
    // How soon is the kill bench's figure; the limit only ends a test that fails.
    const elapsed = msUntilDead(enclave, LIVENESS_LIMIT_MS, since);
    assert.ok(elapsed !== undefined, `isAlive() stayed true for over ${LIVENESS_LIMIT_MS} ms`);
    t.diagnostic(`isAlive() turned false ${elapsed.toFixed(1)} ms after kill()`);
    const status = await enclave.exited;
    assert.equal(status.cause, "kill");
  });

  test(`${where}: isAlive() turns false once a component exits by itself, with no event loop turn`, gate, async (t) => {
    const run = scratchRun(t);
    const word = run.createSegment("go", 64).int32(0, 1);
    const { enclave } = launchFor(t, kind, {
      name: "leaver",
      module: fixture("exit-on-go"),
      runDirectory: run.directory,
      args: { segment: "go" },
    });
    await enclave.start();
    while (Atomics.load(word, 0) !== 1) {
      assert.equal(enclave.hasExited(), false, enclave.output().stderr);
      await sleep(1);
    }
    assert.equal(enclave.isAlive(), true);
    const since = native.monotonicNs();
    Atomics.store(word, 0, 2);
    // Polled without yielding: only the kernel's word can turn it false. How soon is a
    // figure for the benchmarks (the kill bench); here the limit only ends a test that fails.
    const elapsed = msUntilDead(enclave, LIVENESS_LIMIT_MS, since);
    assert.ok(elapsed !== undefined, `isAlive() stayed true for over ${LIVENESS_LIMIT_MS} ms`);
    t.diagnostic(`isAlive() turned false ${elapsed.toFixed(1)} ms after the component was told to exit`);
    assert.deepEqual(await enclave.exited, { code: 0, signal: null, cause: "exit" });
  });

  test(
    `${where}: output is captured per stream and passed on line by line with the component's name`,
    gate,
    async (t) => {
      const lines = 1500;
      const { enclave, sink } = launchFor(t, kind, { name: "chatter", module: fixture("chatter"), args: { lines } });
      await enclave.start();
      assert.equal((await enclave.exited).code, 0);
      const { stdout, stderr } = enclave.output();
      assert.match(stderr, /^warning line$/m);
      assert.doesNotMatch(stdout, /warning line/);
      assert.ok(stdout.length <= 64 * 1024, `the stdout tail holds ${stdout.length} characters`);
      assert.ok(stdout.endsWith(`line ${lines - 1} ${"x".repeat(90)}\nno newline at the end`));
      assert.doesNotMatch(stdout, /first line/, "only the tail is kept");
      assert.match(sink.text, /^\[chatter\] first line$/m);
      assert.match(sink.text, /^\[chatter\] warning line$/m);
      assert.match(sink.text, /^\[chatter\] no newline at the end$/m);
      const forwarded = sink.text.split("\n").filter((line) => line !== "");
      assert.equal(forwarded.length, lines + 3);
      assert.ok(
        forwarded.every((line) => line.startsWith("[chatter] ")),
        "every line carries the prefix",
      );
    },
  );

  test(
    `${where}: a component writing more than a pipe holds is not held up while its supervisor's thread is busy`,
    gate,
    async (t) => {
      // About 150 KB on stdout, more than a pipe's 64 KiB.
      const lines = 1500;
      const last = `line ${lines - 1} ${"x".repeat(90)}\nno newline at the end`;
      const { enclave, sink } = launchFor(t, kind, { name: "chatter", module: fixture("chatter"), args: { lines } });
      await enclave.start();
      // Busy as a driver in its loop: no turn of the event loop until the component has ended by itself.
      const elapsed = msUntilDead(enclave, 120_000);
      assert.notEqual(elapsed, undefined, "the component never ended: its writes were held up by a full pipe");
      // Still without a turn of the event loop, the tail is there to report.
      const deadline = native.monotonicNs() + 10_000e6;
      while (!enclave.output().stdout.endsWith(last) && native.monotonicNs() < deadline) native.schedYield();
      assert.ok(enclave.output().stdout.endsWith(last), `the tail ends with ${enclave.output().stdout.slice(-60)}`);
      assert.match(enclave.output().stderr, /^warning line$/m);
      assert.equal((await enclave.exited).code, 0);
      assert.equal(sink.text.split("\n").filter((line) => line !== "").length, lines + 3, "every line was passed on");
    },
  );

  test(`${where}: cpus pins the component`, gate, async (t) => {
    const available = native.getAffinity(0);
    const target = available[available.length - 1] ?? 0;
    const { enclave, sink } = launchFor(t, kind, { name: "pinned", module: fixture("affinity"), cpus: [target] });
    await enclave.start();
    assert.equal((await enclave.exited).code, 0, enclave.output().stderr);
    assert.match(sink.text, new RegExp(`^\\[pinned\\] affinity \\[${target}\\]$`, "m"));
    assert.deepEqual(enclave.describe().cpus, [target]);
    assert.deepEqual(native.getAffinity(0), available, "the supervisor keeps its own CPUs");
  });

  // Resource limits (docs/composition.md, "Resource limits"): a cgroup per enclave, for every kind but a thread.
  const cgroupGate = needs(options.needs ?? enclaveNeeds(kind), CGROUPS);
  if (kind === "thread") {
    test(`${where}: memory_mib or cpu_weight makes start() reject, naming why`, gate, async (t) => {
      const { enclave } = launchFor(t, kind, {
        name: "limited",
        module: fixture("affinity"),
        resources: { memoryMib: 64 },
      });
      await assert.rejects(enclave.start(), /component limited: a thread enclave cannot have memory_mib or cpu_weight/);
      assert.equal((await enclave.exited).cause, "launch");
    });
  } else {
    test(`${where}: its cgroup says what its processes used, and is gone once it has ended`, cgroupGate, async (t) => {
      const { enclave } = launchFor(t, kind, {
        name: "measured",
        module: fixture("hoarder"),
        args: { mib: 32 },
        resources: { cpuWeight: 50 },
      });
      await enclave.start();
      assert.equal((await enclave.exited).code, 0, enclave.output().stderr);
      const usage = enclave.resourceUsage();
      assert.ok(usage !== undefined, "a cgroup measured it");
      assert.ok(usage.peakMemoryBytes >= 32 * 2 ** 20, `peak ${usage.peakMemoryBytes} holds the 32 MiB it held`);
      assert.ok(usage.cpuTimeNs > 0);
      assert.equal(usage.cpuWeight, 50);
      assert.equal(usage.oomKills, 0);
      assert.deepEqual(cgroupsNamed("measured"), [], "its cgroup was removed");
    });
  }
  // A VM's memory is its guest's (vm.memory_mib): its limit is the guest's RAM, not a cgroup's.
  if (kind === "process" || kind === "container") {
    test(
      `${where}: over memory_mib the kernel kills it, and its end says the limit and the peak`,
      cgroupGate,
      async (t) => {
        const { enclave } = launchFor(t, kind, {
          name: "hoarder",
          module: fixture("hoarder"),
          args: { mib: 400 },
          resources: { memoryMib: 160 },
        });
        await enclave.start();
        const status = await enclave.exited;
        assert.equal(status.signal, "SIGKILL", enclave.output().stderr);
        assert.equal(status.memoryLimit?.limitMib, 160);
        assert.ok((status.memoryLimit?.peakBytes ?? 0) >= 150 * 2 ** 20, `peak ${status.memoryLimit?.peakBytes}`);
        assert.doesNotMatch(enclave.output().stdout, /held 400 MiB/);
        assert.deepEqual(cgroupsNamed("hoarder"), [], "its cgroup was removed");
      },
    );
  }

  test(`${where}: a CPU this host does not have makes start() reject, naming the CPUs it may use`, gate, async (t) => {
    const { enclave } = launchFor(t, kind, { name: "misplaced", module: fixture("affinity"), cpus: [1023] });
    await assert.rejects(
      enclave.start(),
      /component misplaced: cannot pin to CPUs 1023 .*; this process may use CPUs \d/,
    );
    assert.equal((await enclave.exited).cause, "launch");
    assert.equal(enclave.isAlive(), false);
  });

  test(`${where}: describe() names the kind, pid, kernel and CPU model, and redacts secrets`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, kind, {
      name: "described",
      module: fixture("endless"),
      env: { API_TOKEN: "very-secret-value", DB_PASSWORD: "hunter2", CONFLUX_VISIBLE: "shown" },
    });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    const description = enclave.describe();
    assert.equal(description.kind, kind);
    assert.equal(description.name, "described");
    assert.equal(description.pid, enclave.pid);
    assert.equal(description.kernel, release());
    assert.ok(description.cpuModel.length > 0);
    assert.ok(description.cpus.length > 0);
    assert.ok(description.commandLine.some((part) => part.includes("endless.ts")));
    assert.equal(description.env.API_TOKEN, REDACTED);
    assert.equal(description.env.DB_PASSWORD, REDACTED);
    assert.equal(description.env.CONFLUX_VISIBLE, "shown");
    assert.equal(description.env.CONFLUX_RUN_DIR, "/nonexistent-run");
    const record = JSON.stringify(description);
    assert.doesNotMatch(record, /very-secret-value|hunter2/);
    enclave.kill();
    await enclave.exited;
  });

  test(`${where}: a module that does not exist makes start() reject, naming the path`, gate, async (t) => {
    const missing = fixture("no-such-component");
    const { enclave } = launchFor(t, kind, { name: "ghost", module: missing });
    await assert.rejects(enclave.start(), (error: Error) => error.message.includes(missing));
    const status = await enclave.exited;
    assert.equal(status.cause, "launch");
    assert.match(status.error ?? "", /no-such-component\.ts does not exist/);
    assert.equal(enclave.isAlive(), false);
    await assert.rejects(enclave.start(), /start\(\) was called twice/);
  });

  for (const ending of ["exit", "throw", "SIGTERM", "SIGKILL"] as const) {
    // No exit hook sees a SIGKILL: the kernel's parent-death signal (setpriv) ends a component in a process of its own.
    const needsParentDeath = ending === "SIGKILL" && kind !== "thread";
    const endingGate = needsParentDeath ? needs(options.needs ?? enclaveNeeds(kind), SETPRIV) : gate;
    test(`${where}: the component does not outlive its supervisor (${ending})`, endingGate, async (t) => {
      const run = scratchRun(t);
      const waitMs = await options.supervisorStart?.waitMs(t);
      const spawned = performance.now();
      const supervisor = startFixture(t, "enclave/fixtures/supervisor.ts", [kind, run.directory]);
      const line = await supervisor.nextLine(waitMs);
      options.supervisorStart?.observe(performance.now() - spawned);
      const pid = Number(/^pid (\d+)$/.exec(line)?.[1]);
      assert.ok(pid > 0, `the supervisor printed ${line}`);
      t.after(() => {
        // Should this test fail, its orphan must not outlive the suite either.
        if (pid !== process.pid && native.isAlive(pid)) process.kill(pid, "SIGKILL");
      });
      assert.equal(native.isAlive(pid), true);
      if (ending === "exit" || ending === "throw") supervisor.child.stdin?.write(`${ending}\n`);
      else supervisor.child.kill(ending);
      const status = await supervisor.exited;
      if (ending === "exit") assert.deepEqual(status, { code: 0, signal: null });
      if (ending === "throw") assert.equal(status.code, 1, supervisor.stderr());
      if (ending === "SIGTERM" || ending === "SIGKILL") assert.deepEqual(status, { code: null, signal: ending });
      // The kernel delivers the kill; allow it a moment to take effect.
      for (let attempt = 0; attempt < 200 && native.isAlive(pid); attempt++) await sleep(25);
      assert.equal(native.isAlive(pid), false, `component ${pid} outlived its supervisor`);
      // Its cgroup: gone with a supervisor that could still act; left by one killed outright, for conflux clean.
      const supervisorPid = supervisor.child.pid as number;
      if (kind === "thread" || cgroupHost().version === 0) return;
      if (ending !== "SIGKILL") {
        assert.deepEqual(cgroupsOf(supervisorPid, "orphan-candidate"), [], "its supervisor removed its cgroup");
        return;
      }
      const left = cgroupsOf(supervisorPid, "orphan-candidate");
      assert.equal(left.length > 0, true, "a supervisor killed outright leaves its component's cgroup");
      const reaped = reapDeadCgroups({ dryRun: false }).map((cgroup) => cgroup.directory);
      for (const directory of left) assert.ok(reaped.includes(directory), `${directory} was reaped`);
      assert.deepEqual(cgroupsOf(supervisorPid, "orphan-candidate"), []);
    });
  }
}

/** This process's enclave cgroups of component `name` still in the tree. */
function cgroupsNamed(name: string): string[] {
  return cgroupsOf(process.pid, name);
}

/** The enclave cgroups driver `pid` made for component `name` that are still in the tree. */
function cgroupsOf(pid: number, name: string): string[] {
  const host = cgroupHost();
  if (host.version === 0) return [];
  return enclaveCgroupsUnder(cgroupBases(host))
    .filter((found) => found.pid === pid && found.directory.includes(`-${name}.`))
    .map((found) => found.directory);
}
