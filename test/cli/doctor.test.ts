// `conflux doctor --json` in a real process: every enclave kind and client
// toolchain is reported, and what it says of the Python modules the benchmarks
// and tests use beside ours (scipy, meshio) agrees with the suite's own probes
// (test/support/requirements.ts), which ask differently; a missing one names the
// Debian package that brings it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startCli } from "../support/child-process.ts";
import { MESHIO, SCIPY } from "../support/requirements.ts";

interface Report {
  kinds: { kind: string; usable: boolean }[];
  clients: { client: string; usable: boolean; requirements: { ok: boolean; fix?: string }[] }[];
}

test("doctor reports every enclave kind and client, and scipy and meshio as the suite finds them", async (t) => {
  const doctor = startCli(t, ["doctor", "--json"]);
  const lines: string[] = [];
  for (let line = await doctor.nextLine(60_000); ; line = await doctor.nextLine(60_000)) {
    lines.push(line);
    if (line === "}") break;
  }
  assert.deepEqual(await doctor.exited, { code: 0, signal: null }, doctor.stderr());
  const report = JSON.parse(lines.join("\n")) as Report;
  assert.deepEqual(
    report.kinds.map((kind) => kind.kind),
    ["thread", "process", "container", "vm"],
  );
  for (const [prefix, requirement, debianPackage] of [
    ["scipy", SCIPY, "python3-scipy"],
    ["meshio", MESHIO, "python3-meshio"],
  ] as const) {
    const entry = report.clients.find((client) => client.client.startsWith(`${prefix} `));
    assert.ok(entry, `doctor reports ${prefix}: ${report.clients.map((client) => client.client).join(", ")}`);
    assert.equal(entry.usable, requirement.missing() === undefined, `${prefix}: doctor and the suite disagree`);
    if (!entry.usable)
      assert.match(entry.requirements[0]?.fix ?? "", new RegExp(`apt-get install -y ${debianPackage}`));
  }
});
