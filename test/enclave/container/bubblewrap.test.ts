// The enclave contract and the container contract on bubblewrap (the default
// runtime), then what only bubblewrap promises: no root needed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { test } from "node:test";
import { projectRoot } from "../../support/child-process.ts";
import { BUBBLEWRAP, needs, SETPRIV, skipBecause, skipNow } from "../../support/requirements.ts";
import { enclaveContract, fixture, launchFor } from "../contract.ts";
import { containerContract } from "./contract.ts";

enclaveContract("container");
containerContract("bubblewrap");

const where = "container enclave (bubblewrap)";

test(
  `${where}: works without root (user namespaces)`,
  skipBecause(
    process.getuid?.() === 0 ? undefined : "the suite already runs without root: the contract above is this test",
    needs(BUBBLEWRAP, SETPRIV),
  ),
  async (t) => {
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
      skipNow(
        t,
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
  },
);

test(
  `${where}: the pid it watches runs the component itself, so describe() needs no other`,
  needs(BUBBLEWRAP),
  async (t) => {
    const { enclave, sink } = launchFor(t, "container", { name: "described", module: fixture("endless") });
    await enclave.start();
    await sink.waitFor(/looping/, enclave);
    assert.equal(enclave.describe().codePid, undefined);
    assert.equal(realpathSync(`/proc/${enclave.pid}/exe`), realpathSync(process.execPath), "node runs the module");
    enclave.kill();
    await enclave.exited;
  },
);
