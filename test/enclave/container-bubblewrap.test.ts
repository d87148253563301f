// The enclave contract for containers on bubblewrap (the default runtime),
// then what only a container promises: its own read-only root, only its run's
// directory of /dev/shm, no network unless asked, exits reported as for a
// process, and no root needed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { test } from "node:test";
import type { ContainerLaunch } from "../../src/enclave/container-settings.ts";
import { projectRoot } from "../support/child-process.ts";
import { scratchRun } from "../support/scratch-run.ts";
import { enclaveContract, fixture, launchFor } from "./contract.ts";

enclaveContract("container");

const where = "container enclave (bubblewrap)";

/** The contract's launchFor takes a plain launch; container settings ride along, as createEnclave reads them. */
function withSettings(launch: Omit<ContainerLaunch, "runDirectory">): Omit<ContainerLaunch, "runDirectory"> {
  return launch;
}

test(`${where}: a command sees its run's directory and nothing else of /dev/shm`, async (t) => {
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

test(`${where}: the root is read-only, /tmp is its own, home directories are not there`, async (t) => {
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

test(`${where}: no network unless the composition asks for it`, async (t) => {
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

test(`${where}: stop() asks the component first (SIGTERM), as for a process`, async (t) => {
  const { enclave, sink } = launchFor(t, "container", { name: "obedient", module: fixture("endless") });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  assert.deepEqual(await enclave.stop(60_000), { code: null, signal: "SIGTERM", cause: "stop" });
});

test(`${where}: a signal from elsewhere is reported as such`, async (t) => {
  const { enclave, sink } = launchFor(t, "container", { name: "target", module: fixture("endless") });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  process.kill(enclave.pid, "SIGKILL");
  assert.deepEqual(await enclave.exited, { code: null, signal: "SIGKILL", cause: "signal" });
});

test(`${where}: a stack that was never built makes start() reject, naming it and the fix`, async (t) => {
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

test(`${where}: a command the root does not have makes start() reject, naming it`, async (t) => {
  const { enclave } = launchFor(t, "container", { name: "absent", command: ["conflux-no-such-solver"] });
  await assert.rejects(
    enclave.start(),
    /component absent: command conflux-no-such-solver is not an executable on PATH/,
  );
});

test(`${where}: works without root (user namespaces)`, async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip("the suite already runs without root: the contract above is this test");
    return;
  }
  // The unprivileged supervisor must be able to read the checkout (a clone
  // under a private 0700 directory is not): that is the host's choice, not ours.
  const readable = spawnSync(
    "setpriv",
    [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--",
      "test",
      "-r",
      `${projectRoot}/node_modules/tsx/package.json`,
    ],
    { stdio: "ignore" },
  );
  if (readable.status !== 0) {
    t.skip(
      `user nobody cannot read this checkout (${projectRoot}); clone it where other users can read it to run this test`,
    );
    return;
  }
  // A supervisor running as nobody starts a container whose component reports its uid.
  const result = spawnSync(
    "setpriv",
    [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--",
      process.execPath,
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { createEnclave } from "./src/enclave/create-enclave.ts";
       const enclave = createEnclave("container", { name: "unprivileged", command: ["id", "-u"], runDirectory: "/nonexistent-run" }, { output: null });
       await enclave.start();
       const status = await enclave.exited;
       console.log(JSON.stringify({ status, stdout: enclave.output().stdout, stderr: enclave.output().stderr }));`,
    ],
    { cwd: projectRoot, encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as {
    status: { code: number };
    stdout: string;
    stderr: string;
  };
  assert.equal(report.status.code, 0, report.stderr);
  assert.equal(report.stdout, "65534\n");
});
