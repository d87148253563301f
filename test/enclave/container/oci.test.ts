// The enclave and container contracts with crun as the runtime of every
// container launch that names none (the supervisor fixture's too: it inherits
// the variable), then what only the OCI backend does: the bundle it generates,
// crun's failures read for the user, and a container that dies with its driver
// even when crun does not.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CONTAINER_INIT_PATH, ociConfig } from "../../../src/enclave/container/oci/config.ts";
import { CRUN_STATE_DIRECTORY, removeStaleState } from "../../../src/enclave/container/oci/runtime.ts";
import { containerRoot } from "../../../src/enclave/container/root.ts";
import { CONTAINER_RUNTIME_VARIABLE, type ContainerLaunch } from "../../../src/enclave/container/settings.ts";
import { native } from "../../../src/native/index.ts";
import { startFixture } from "../../support/child-process.ts";
import { containerNeeds, needs } from "../../support/requirements.ts";
import { scratchRun } from "../../support/scratch-run.ts";
import { enclaveContract, fixture, launchFor } from "../contract.ts";
import { containerContract } from "./contract.ts";

process.env[CONTAINER_RUNTIME_VARIABLE] = "crun";
enclaveContract("container", { needs: containerNeeds("crun") });
containerContract("crun");
const gate = needs(containerNeeds("crun"));

const where = "container enclave (crun)";

function bundles(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith("conflux-oci-"));
}

test(
  `${where}: config.json binds the run's directory read-write and everything else read-only, with no network`,
  gate,
  (t) => {
    const run = scratchRun(t);
    const launch: ContainerLaunch = { name: "configured", module: fixture("endless"), runDirectory: run.directory };
    const config = ociConfig({
      root: containerRoot(launch, {}),
      rootPath: "/skeleton",
      network: false,
      init: "/host/conflux-init",
      uid: 0,
      gid: 0,
    });
    assert.deepEqual(config.root, { path: "/skeleton", readonly: true });
    assert.deepEqual(config.process.args.slice(-1), [fixture("endless")]);
    assert.equal(config.process.args[0], CONTAINER_INIT_PATH, "our init runs the component");
    const byDestination = new Map(config.mounts.map((mount) => [mount.destination, mount]));
    assert.deepEqual(byDestination.get(run.directory)?.options, ["rbind", "rw", "nosuid", "nodev"]);
    assert.equal(byDestination.get("/proc")?.type, "proc");
    assert.equal(byDestination.get("/dev")?.type, "tmpfs");
    for (const mount of config.mounts) {
      if (mount.type === "bind" && mount.destination !== run.directory)
        assert.ok(mount.options?.includes("ro"), mount.destination);
    }
    assert.deepEqual(byDestination.get(CONTAINER_INIT_PATH)?.source, "/host/conflux-init");
    for (const type of ["pid", "mount", "ipc", "uts", "network"]) {
      assert.ok(
        config.linux.namespaces.some((namespace) => namespace.type === type),
        `a ${type} namespace`,
      );
    }
    const online = ociConfig({
      root: containerRoot(launch, {}),
      rootPath: "/s",
      network: true,
      init: "/host/conflux-init",
      uid: 0,
      gid: 0,
    });
    assert.ok(!online.linux.namespaces.some((namespace) => namespace.type === "network"));
  },
);

test(`${where}: the bundle is gone once the component runs`, gate, async (t) => {
  const before = bundles();
  const { enclave, sink } = launchFor(t, "container", { name: "bundled", module: fixture("endless") });
  await enclave.start();
  await sink.waitFor(/looping/, enclave);
  assert.deepEqual(bundles(), before);
  enclave.kill();
  await enclave.exited;
});

test(`${where}: a program crun cannot start is reported in words a user can act on`, gate, async (t) => {
  const stack = mkdtempSync(join(tmpdir(), "conflux-crun-stack-"));
  t.after(() => rmSync(stack, { recursive: true, force: true }));
  mkdirSync(join(stack, "usr/bin"), { recursive: true });
  writeFileSync(join(stack, "usr/bin/solver"), "not a program");
  chmodSync(join(stack, "usr/bin/solver"), 0o755);
  const launch: Omit<ContainerLaunch, "runDirectory"> = {
    name: "broken",
    command: ["/usr/bin/solver"],
    cwd: "/",
    container: { rootfs: stack, stack: "broken-stack" },
  };
  const { enclave } = launchFor(t, "container", launch);
  await enclave.start();
  const status = await enclave.exited;
  assert.equal(status.code, 126);
  assert.match(
    status.error ?? "",
    /the container could not start \/usr\/bin\/solver in stack broken-stack: Exec format error/,
  );
});

test(`${where}: the state of a crun killed with its supervisor is removed later`, gate, () => {
  // The contract killed a supervisor with SIGKILL: its crun died too, leaving its state behind.
  removeStaleState();
  const states = join(CRUN_STATE_DIRECTORY, "state");
  for (const name of readdirSync(states).filter((entry) => entry.startsWith("conflux-"))) {
    const directory = join(states, name);
    // A crun another test starts right now has its state directory before its status, and one that
    // ends removes both: the runtime leaves a state with no status alone for a minute, and so does this.
    let text: string;
    try {
      text = readFileSync(join(directory, "status"), "utf8");
    } catch {
      const modified = statSync(directory, { throwIfNoEntry: false })?.mtimeMs;
      const ageMs = modified === undefined ? 0 : Date.now() - modified;
      assert.ok(ageMs < 60_000, `${name} is left with no status for ${Math.round(ageMs / 1000)} s`);
      continue;
    }
    const status = JSON.parse(text) as { pid: number };
    assert.ok(native.isAlive(status.pid), `${name} is left though its container ${status.pid} has ended`);
  }
});

test(`${where}: the container dies with its driver even when crun outlives the driver`, gate, async (t) => {
  // A host without setpriv: nothing kills crun when its supervisor dies, so only
  // the init's hang-up descriptor can end the container.
  const bin = mkdtempSync(join(tmpdir(), "conflux-no-setpriv-"));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  for (const program of ["crun", "unshare", "umount", "cc"]) {
    const found = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).stdout.trim();
    if (found !== "") symlinkSync(found, join(bin, program));
  }
  const run = scratchRun(t);
  const supervisor = startFixture(t, "enclave/fixtures/supervisor.ts", ["container", run.directory], { PATH: bin });
  const line = await supervisor.nextLine();
  const pid = Number(/^pid (\d+)$/.exec(line)?.[1]);
  assert.ok(pid > 0, `the supervisor printed ${line}\n${supervisor.stderr()}`);
  const runtime = parentOf(pid);
  t.after(() => {
    for (const leftover of [pid, runtime])
      if (leftover > 0 && native.isAlive(leftover)) process.kill(leftover, "SIGKILL");
  });
  assert.match(commandOf(runtime), /crun/, "crun runs the container, with no setpriv in front");
  supervisor.child.kill("SIGKILL");
  await supervisor.exited;
  for (let attempt = 0; attempt < 200 && native.isAlive(pid); attempt++) await sleep(25);
  assert.equal(native.isAlive(pid), false, `the container's init ${pid} outlived its driver`);
  for (let attempt = 0; attempt < 200 && native.isAlive(runtime); attempt++) await sleep(25);
  assert.equal(native.isAlive(runtime), false, "crun ended with its container");
});

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function commandOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
}

test(
  `${where}: describe() names the process that runs the component's code, under the init it watches`,
  gate,
  async (t) => {
    const { enclave, sink } = launchFor(t, "container", { name: "described", module: fixture("endless") });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    const description = enclave.describe();
    assert.equal(description.pid, enclave.pid);
    assert.ok(
      description.codePid !== undefined && description.codePid !== description.pid,
      JSON.stringify(description),
    );
    assert.equal(
      realpathSync(`/proc/${description.codePid}/exe`),
      realpathSync(process.execPath),
      "node runs the module",
    );
    assert.equal(parentOf(description.codePid), enclave.pid, "as the init's child");
    enclave.kill();
    await enclave.exited;
  },
);
