// A bundle whose components run in containers on real Debian stacks
// (examples/conflicting-stacks: numpy 1 on bookworm, numpy 2 on trixie): packed
// with both stacks from a project outside this checkout, the project removed,
// then run and replayed from a fresh directory whose caches and stack store are
// empty, so the stacks come from the bundle's image layers and the Python
// client from the bundle. Needs root (debootstrap), bubblewrap and the Debian
// mirror, as test/stack/conflicting-stacks.test.ts does.
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { STACKS_VARIABLE } from "../../src/stack/stack-store.ts";
import { projectRoot } from "../support/child-process.ts";
import {
  BUBBLEWRAP,
  DEBOOTSTRAP,
  debianMirrorUnreachable,
  needs,
  skipBecause,
  unmet,
} from "../support/requirements.ts";
import { testStacksDirectory } from "../support/test-stacks.ts";
import { conflux, confluxWithin, emptyCaches, scratch } from "./bundle-support.ts";

const example = join(projectRoot, "examples/conflicting-stacks");
const mirror = unmet(DEBOOTSTRAP) === undefined ? await debianMirrorUnreachable() : undefined;

// Two debootstraps on a first use (about a minute each on two cores), a 400 MiB pack, and two runs.
test("a bundle of container components on Debian stacks runs and replays with empty caches, its project gone", {
  ...skipBecause(mirror, needs(DEBOOTSTRAP, BUBBLEWRAP)),
  timeout: 1_800_000,
}, (t) => {
  // The suite's shared store, where conflicting-stacks.test.ts builds the same two specs (built once per suite run).
  const built = { [STACKS_VARIABLE]: testStacksDirectory() };
  for (const name of ["numpy1", "numpy2"]) {
    // About a minute alone; in a full suite run it may first wait for conflicting-stacks.test.ts's build of it.
    const build = confluxWithin(
      600_000,
      projectRoot,
      built,
      "stack",
      "build",
      "--quiet",
      join(example, `${name}.stack.yaml`),
    );
    assert.equal(build.code, 0, build.stderr);
  }

  // The project laid out as in a checkout: the scripts find the client at ../../clients/python. Outside a
  // checkout the composition says so too, by a PYTHONPATH relative to it, which the run record and pack follow
  // (they cannot read the scripts' own sys.path entry); so the bundle carries this project's client, not the
  // running conflux's, at app/clients/python beside app/examples/conflicting-stacks.
  const work = scratch(t, "containers");
  const project = join(work, "project");
  cpSync(example, join(project, "examples/conflicting-stacks"), { recursive: true });
  cpSync(join(projectRoot, "clients/python/conflux"), join(project, "clients/python/conflux"), { recursive: true });
  const composition = join(project, "examples/conflicting-stacks/conflux.yaml");
  writeFileSync(
    composition,
    readFileSync(composition, "utf8").replaceAll(
      'env: { PYTHONDONTWRITEBYTECODE: "1" }',
      'env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: ../../clients/python }',
    ),
  );
  const packed = conflux(work, built, "pack", composition, "-o", "app.cfx");
  assert.equal(packed.code, 0, packed.stderr);
  rmSync(project, { recursive: true, force: true });

  const caches = emptyCaches(t);
  const elsewhere = scratch(t, "containers-elsewhere");
  const listed = JSON.parse(conflux(elsewhere, caches, "inspect", "--json", join(work, "app.cfx")).stdout) as {
    manifest: { files: { path: string; role: string }[]; stacks: { name: string }[] };
  };
  assert.deepEqual(
    listed.manifest.stacks.map((stack) => stack.name),
    ["numpy1", "numpy2"],
  );
  assert.ok(
    listed.manifest.files.some(
      (file) => file.path === "app/clients/python/conflux/__init__.py" && file.role === "client library",
    ),
    "the bundle carries the project's Python client beside its example",
  );

  const run = conflux(elsewhere, caches, "run", join(work, "app.cfx"), "--quiet");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^\[legacy\] numpy 1\.24\.\d+ on Python 3\.11\.\d+ \(Debian 12\./m);
  assert.match(run.stderr, /^\[modern\] numpy 2\.\d+\.\d+ on Python 3\.1\d\.\d+ \(Debian 13\./m);
  assert.match(run.stderr, /^\[legacy\] done: mean temperature -?\d/m);
  assert.match(run.stderr, /^\[modern\] done: mean flux -?\d/m);
  // The stacks were installed from the bundle into the empty store, not found in the one they were built in.
  const installed = readdirSync(join(caches[STACKS_VARIABLE] as string, "names")).sort();
  assert.deepEqual(installed, ["numpy1", "numpy2"]);

  const records = readdirSync(join(elsewhere, "conflux-runs"));
  assert.equal(records.length, 1);
  const runDirectory = join("conflux-runs", records[0] as string);
  const record = JSON.parse(readFileSync(join(elsewhere, runDirectory, "run.json"), "utf8"));
  assert.equal(record.status, "completed");
  // Each stack is named by the image digest the bundle lists for it.
  const digests = new Map(
    (
      JSON.parse(conflux(elsewhere, caches, "inspect", "--json", join(work, "app.cfx")).stdout) as {
        manifest: { stacks: { name: string; imageDigest: string }[] };
      }
    ).manifest.stacks.map((stack) => [stack.name, stack.imageDigest]),
  );
  for (const enclave of record.enclaves as {
    component: string;
    description: { software: { name: string; imageDigest?: string } };
  }[]) {
    const software = enclave.description.software;
    assert.equal(software.imageDigest, digests.get(software.name), `${enclave.component}'s stack`);
    // The installed stack is the same image here: exported from this store it has the bundle's digest.
    const exported = conflux(elsewhere, caches, "stack", "export", software.name, "-o", `${software.name}.tar`);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`image ${digests.get(software.name)}$`, "m"));
  }

  const replay = conflux(elsewhere, caches, "repro", "verify", runDirectory, "--quiet");
  assert.equal(replay.code, 0, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /reproduced/);
});
