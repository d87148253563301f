// What a container promises on either runtime (bubblewrap, crun), beyond the
// enclave contract: its own read-only root, only its run's directory of
// /dev/shm, no network unless asked, a pid namespace of its own, exits
// reported as for a process, and components in TypeScript and C coupled with
// their driver from inside it (Python's run in test/stack, in their stacks). A runtime's test file sets the runtime, then calls
// containerContract.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readlinkSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { test } from "node:test";
import type { ContainerLaunch, ContainerRuntimeName } from "../../../src/enclave/container/settings.ts";
import { assertCompleted, differencesFromReference, runSeed } from "../../clients/seed-coupling.ts";
import { compileWithClient, scratchDirectory } from "../../clients/toolchain.ts";
import { seedPlan } from "../../coupling/seed-plan.ts";
import { projectRoot } from "../../support/child-process.ts";
import { C_COMPILER, containerNeeds, needs } from "../../support/requirements.ts";
import { scratchRun } from "../../support/scratch-run.ts";
import { fixture, launchFor } from "../contract.ts";

export function containerContract(runtime: ContainerRuntimeName): void {
  const where = `container enclave (${runtime})`;
  const runtimeNeeds = containerNeeds(runtime);
  const gate = needs(runtimeNeeds);

  /** The contract's launchFor takes a plain launch; container settings ride along, as createEnclave reads them. */
  function withSettings(launch: Omit<ContainerLaunch, "runDirectory">): Omit<ContainerLaunch, "runDirectory"> {
    return launch;
  }

  test(`${where}: a command sees its run's directory and nothing else of /dev/shm`, gate, async (t) => {
    const run = scratchRun(t);
    const stranger = `/dev/shm/conflux-test-stranger-${process.pid}`;
    writeFileSync(stranger, "not yours");
    t.after(() => rmSync(stranger, { force: true }));
    const { enclave } = launchFor(t, "container", {
      name: "looker",
      command: ["sh", "-c", 'ls /dev/shm; touch "$CONFLUX_RUN_DIR/written-inside"'],
      runDirectory: run.directory,
    });
    await enclave.start();
    assert.deepEqual(await enclave.exited, { code: 0, signal: null, cause: "exit" }, enclave.output().stderr);
    assert.equal(enclave.output().stdout, `${basename(run.directory)}\n`);
    assert.equal(spawnSync("test", ["-e", `${run.directory}/written-inside`]).status, 0, "the run directory is shared");
  });

  test(`${where}: the root is read-only, /tmp is its own, home directories are not there`, gate, async (t) => {
    const { enclave } = launchFor(t, "container", {
      name: "writer",
      command: [
        "sh",
        "-c",
        "touch /usr/conflux-probe 2>/dev/null && echo usr-writable; touch /tmp/mine && echo tmp-ok; test -e /home || echo no-home; test -e /root || echo no-root",
      ],
      cwd: projectRoot,
    });
    await enclave.start();
    assert.equal((await enclave.exited).code, 0, enclave.output().stderr);
    assert.equal(enclave.output().stdout, "tmp-ok\nno-home\nno-root\n");
  });

  test(`${where}: no network unless the composition asks for it`, gate, async (t) => {
    const interfaces = (network: boolean) =>
      launchFor(
        t,
        "container",
        withSettings({
          name: network ? "online" : "offline",
          command: ["sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort"],
          container: { network },
        }),
      ).enclave;
    const offline = interfaces(false);
    await offline.start();
    assert.equal((await offline.exited).code, 0, offline.output().stderr);
    assert.equal(offline.output().stdout, "lo\n", "only a loopback of its own");
    const online = interfaces(true);
    await online.start();
    assert.equal((await online.exited).code, 0, online.output().stderr);
    const host = spawnSync("sh", ["-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort"], {
      encoding: "utf8",
    });
    assert.equal(online.output().stdout, host.stdout, "the host's interfaces");
  });

  test(`${where}: stop() asks the component first (SIGTERM), as for a process`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, "container", { name: "obedient", module: fixture("endless") });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    assert.deepEqual(await enclave.stop(60_000), { code: null, signal: "SIGTERM", cause: "stop" });
  });

  test(`${where}: a signal from elsewhere is reported as such`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, "container", { name: "target", module: fixture("endless") });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    process.kill(enclave.pid, "SIGKILL");
    assert.deepEqual(await enclave.exited, { code: null, signal: "SIGKILL", cause: "signal" });
  });

  test(`${where}: a stack that was never built makes start() reject, naming it and the fix`, gate, async (t) => {
    const { enclave } = launchFor(
      t,
      "container",
      withSettings({
        name: "unbuilt",
        command: ["python3", "-V"],
        container: { stack: "numpy9", rootfs: "/nonexistent-stacks/numpy9/rootfs" },
      }),
    );
    await assert.rejects(
      enclave.start(),
      /component unbuilt: stack numpy9 is not built: .* does not exist; build it with `conflux stack build/,
    );
    assert.equal((await enclave.exited).cause, "launch");
  });

  test(`${where}: a command the root does not have makes start() reject, naming it`, gate, async (t) => {
    const { enclave } = launchFor(t, "container", { name: "absent", command: ["conflux-no-such-solver"] });
    await assert.rejects(
      enclave.start(),
      /component absent: command conflux-no-such-solver is not an executable on PATH/,
    );
  });

  test(`${where}: the component has a pid namespace of its own and sees no host process`, gate, async (t) => {
    const { enclave, sink } = launchFor(t, "container", {
      name: "counter",
      command: [
        "sh",
        "-c",
        'echo "$$"; readlink /proc/self/ns/pid; ls /proc | grep -c "^[0-9][0-9]*$"; echo counted; exec sleep 60',
      ],
    });
    await enclave.start();
    await sink.waitFor(/counted/, enclave);
    const [inside = "", namespace = "", processes = ""] = enclave.output().stdout.trim().split("\n");
    assert.notEqual(namespace, readlinkSync("/proc/self/ns/pid"), "not the host's pid namespace");
    // The process the enclave watches and signals is in that namespace, under another number.
    assert.equal(readlinkSync(`/proc/${enclave.pid}/ns/pid`), namespace);
    assert.ok(Number(inside) <= 2, `the component is the namespace's first or second process, not ${inside}`);
    // The namespace's init, the shell, and ls and grep at most.
    assert.ok(Number(processes) <= 4, `it sees ${processes} processes`);
    assert.equal((await enclave.stop(5000)).cause, "stop");
  });

  test(`${where}: orphans the component leaves are reaped by the namespace's init`, gate, async (t) => {
    // The subshell's sleep is orphaned at once; once it ends, only the init can reap it.
    const { enclave } = launchFor(t, "container", {
      name: "abandoner",
      command: ["sh", "-c", '(sleep 0.1 &); sleep 1; grep -l "^[0-9]* ([^)]*) Z" /proc/[0-9]*/stat | wc -l'],
    });
    await enclave.start();
    assert.deepEqual(await enclave.exited, { code: 0, signal: null, cause: "exit" }, enclave.output().stderr);
    assert.equal(enclave.output().stdout.trim(), "0", "no zombie is left in the namespace");
  });

  test(
    `${where}: TypeScript components in their own pid namespaces couple with the driver, 100 iterations, as the reference`,
    gate,
    async () => {
      const run = await runSeed(seedPlan("container", 100), 20);
      assertCompleted(run, 100, 20);
      for (const [field, difference] of differencesFromReference(run, 100)) {
        assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
      }
    },
  );

  test(
    `${where}: a C component in its own pid namespace couples with the driver, 100 iterations, as the reference`,
    needs(runtimeNeeds, C_COMPILER),
    async (t) => {
      const binary = compileWithClient(scratchDirectory(t), "app_a", ["examples/c-component/app_a.c"]);
      const plan = seedPlan("container", 100);
      const appA = plan.components.find((component) => component.name === "appA");
      assert.ok(appA);
      appA.launch = { command: [binary], args: appA.launch.args ?? {} };
      const run = await runSeed(plan, 20);
      assertCompleted(run, 100, 20);
      for (const [field, difference] of differencesFromReference(run, 100)) {
        assert.equal(difference, 0, `${field} differs from the reference by ${difference}`);
      }
    },
  );
}
