// A bundle as a user makes and uses it: `conflux pack` on a project, twice
// (byte-identical), then the project removed and the bundle run, inspected,
// verified, unpacked and replayed from a fresh directory whose caches are
// empty; and a bundle with one byte changed refused, naming the file.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/child-process.ts";
import { needs, PYTHON } from "../support/requirements.ts";
import { conflux, emptyCaches, scratch, seedProject } from "./bundle-support.ts";

test("a packed project runs, verifies and replays from its bundle alone, with empty caches and its sources gone", (t) => {
  const work = scratch(t, "pack");
  const composition = seedProject(work);
  const first = conflux(work, {}, "pack", composition, "-o", "app.cfx");
  assert.equal(first.code, 0, first.stderr);
  const again = conflux(work, {}, "pack", composition, "-o", "again.cfx");
  assert.equal(again.code, 0, again.stderr);
  const bundle = readFileSync(join(work, "app.cfx"));
  assert.ok(bundle.equals(readFileSync(join(work, "again.cfx"))), "packing twice gives the same bytes");
  rmSync(join(work, "project"), { recursive: true, force: true });

  const caches = emptyCaches(t);
  const elsewhere = scratch(t, "elsewhere");
  const inspect = conflux(elsewhere, caches, "inspect", join(work, "app.cfx"));
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /seed-dtk, format conflux-bundle version 1/);
  assert.match(inspect.stdout, /app\/app-a\.ts .*\(appA\)/);
  assert.match(inspect.stdout, /client libraries.*\n {2}clients\/typescript\/sdk\.mjs/);
  const json = conflux(elsewhere, caches, "inspect", "--json", join(work, "app.cfx"));
  assert.equal(json.code, 0, json.stderr);
  const listed = JSON.parse(json.stdout) as { manifest: { files: { path: string }[]; conflux: { version: string } } };
  assert.ok(listed.manifest.files.some((file) => file.path === "clients/typescript/seed-demo.mjs"));
  assert.equal(typeof listed.manifest.conflux.version, "string");

  const verify = conflux(elsewhere, caches, "verify", join(work, "app.cfx"));
  assert.equal(verify.code, 0, verify.stderr);

  const run = conflux(elsewhere, caches, "run", join(work, "app.cfx"), "--iterations", "4", "--quiet");
  assert.equal(run.code, 0, run.stderr);
  const records = readdirSync(join(elsewhere, "conflux-runs"));
  assert.equal(records.length, 1);
  const record = JSON.parse(readFileSync(join(elsewhere, "conflux-runs", records[0] as string, "run.json"), "utf8"));
  assert.equal(record.status, "completed");
  assert.ok(String(record.composition.file).startsWith(join(caches.XDG_CACHE_HOME as string, "conflux/bundles")));

  const replay = conflux(elsewhere, caches, "repro", "verify", join("conflux-runs", records[0] as string), "--quiet");
  assert.equal(replay.code, 0, replay.stdout + replay.stderr);

  const unpack = conflux(elsewhere, caches, "unpack", join(work, "app.cfx"), "-C", "unpacked");
  assert.equal(unpack.code, 0, unpack.stderr);
  assert.ok(existsSync(join(elsewhere, "unpacked/app/conflux.yaml")));
  const intoFull = conflux(elsewhere, caches, "unpack", join(work, "app.cfx"), "-C", "unpacked");
  assert.equal(intoFull.code, 2);
  assert.match(intoFull.stderr, /unpacked is not empty: unpack into a new or empty directory/);
});

test("a bundle with one byte changed is refused by verify, run and unpack, naming the file", (t) => {
  const work = scratch(t, "tamper");
  const composition = seedProject(work);
  assert.equal(conflux(work, {}, "pack", composition, "-o", "app.cfx").code, 0);
  const bytes = readFileSync(join(work, "app.cfx"));
  // Change one character of app-b.ts's text, leaving the tar headers (and so the archive's structure) intact.
  const at = bytes.indexOf(Buffer.from('runSeedApp("flux")'));
  assert.ok(at > 0);
  bytes[at + 12] = "F".charCodeAt(0);
  writeFileSync(join(work, "tampered.cfx"), bytes);
  const caches = emptyCaches(t);
  for (const args of [["verify"], ["run", "--quiet"], ["unpack", "-C", "out"], ["unpack", "-C", "out"]]) {
    const [command, ...rest] = args as [string, ...string[]];
    const outcome = conflux(work, caches, command, join(work, "tampered.cfx"), ...rest);
    assert.equal(outcome.code, 2, `${command}: ${outcome.stderr}`);
    assert.match(outcome.stderr, /app\/app-b\.ts does not match its hash in the manifest/);
    assert.doesNotMatch(outcome.stderr, /\n\s+at /, "no stack trace");
  }
  assert.ok(!existsSync(join(work, "out")), "a refused unpack leaves nothing");
  assert.ok(!existsSync(join(work, "conflux-runs")), "a refused bundle is not run");
});

test("a Python component packs with its client library, and runs from its bundle", needs(PYTHON), (t) => {
  const work = scratch(t, "python");
  const packed = conflux(work, {}, "pack", join(projectRoot, "examples/python-component/conflux.yaml"), "-o", "py.cfx");
  assert.equal(packed.code, 0, packed.stderr);
  const inspect = conflux(work, {}, "inspect", "py.cfx");
  // This conflux's own client goes under clients/, beside the application, not in it.
  assert.match(inspect.stdout, /\n {2}clients\/python\/conflux\/__init__\.py .*\(appB\)/);
  const caches = emptyCaches(t);
  const run = conflux(work, caches, "run", "py.cfx", "--iterations", "3", "--quiet");
  assert.equal(run.code, 0, run.stderr);
  const [directory] = readdirSync(join(work, "conflux-runs"));
  const record = JSON.parse(readFileSync(join(work, "conflux-runs", directory as string, "run.json"), "utf8"));
  // The run's client is byte for byte the one the bundle lists.
  const listed = JSON.parse(conflux(work, {}, "inspect", "--json", "py.cfx").stdout) as {
    manifest: { files: { path: string; sha256: string }[] };
  };
  const bundled = listed.manifest.files.find((file) => file.path === "clients/python/conflux/__init__.py");
  const ran = (record.inputs as { path: string; role: string; sha256: string }[]).find(
    (input) => input.role === "client source" && input.path.endsWith("conflux/__init__.py"),
  );
  assert.equal(record.status, "completed");
  assert.equal(ran?.sha256, bundled?.sha256);
  // …read from the bundle, the first on the component's PYTHONPATH, whatever path the composition gives.
  assert.ok(ran?.path.startsWith(join(caches.XDG_CACHE_HOME as string, "conflux/bundles")), ran?.path);
});

test(
  "a component conflux init writes packs with relative paths and runs on the bundle's client",
  needs(PYTHON),
  (t) => {
    const work = scratch(t, "init");
    const init = conflux(work, {}, "init", "--language", "python", "demo");
    assert.equal(init.code, 0, init.stderr);
    const packed = conflux(work, {}, "pack", join(work, "demo/conflux.yaml"), "-o", "demo.cfx");
    assert.equal(packed.code, 0, packed.stderr);
    const listed = JSON.parse(conflux(work, {}, "inspect", "--json", "demo.cfx").stdout) as {
      manifest: { composition: string; files: { path: string }[] };
    };
    // The application is the project's own files at their relative paths; no path of the packing machine.
    assert.equal(listed.manifest.composition, "app/conflux.yaml");
    for (const file of listed.manifest.files) {
      assert.match(file.path, /^(app\/(conflux\.yaml|component\.py)|clients\/python\/conflux\/[a-z_]+\.py)$/);
    }
    rmSync(join(work, "demo"), { recursive: true, force: true });
    const caches = emptyCaches(t);
    const elsewhere = scratch(t, "init-elsewhere");
    const run = conflux(elsewhere, caches, "run", join(work, "demo.cfx"), "--quiet");
    assert.equal(run.code, 0, run.stderr);
    const [directory] = readdirSync(join(elsewhere, "conflux-runs"));
    const record = JSON.parse(readFileSync(join(elsewhere, "conflux-runs", directory as string, "run.json"), "utf8"));
    const clients = (record.inputs as { path: string; role: string }[]).filter(
      (input) => input.role === "client source",
    );
    assert.ok(clients.length > 0);
    for (const client of clients) {
      assert.ok(client.path.startsWith(join(caches.XDG_CACHE_HOME as string, "conflux/bundles")), client.path);
    }
  },
);

test("a bundle that carries its run replays it from the bundle alone: repro verify app.cfx", (t) => {
  const work = scratch(t, "record");
  const composition = seedProject(work);
  const ran = conflux(work, {}, "run", composition, "--iterations", "4", "--quiet", "--results", "runs");
  assert.equal(ran.code, 0, ran.stderr);
  const runDirectory = join(work, "runs", readdirSync(join(work, "runs"))[0] as string);
  const packed = conflux(work, {}, "pack", composition, "--record", runDirectory, "-o", "app.cfx");
  assert.equal(packed.code, 0, packed.stderr);
  const plain = conflux(work, {}, "pack", composition, "-o", "plain.cfx");
  assert.equal(plain.code, 0, plain.stderr);
  rmSync(join(work, "project"), { recursive: true, force: true });
  rmSync(join(work, "runs"), { recursive: true, force: true });

  const caches = emptyCaches(t);
  const elsewhere = scratch(t, "record-elsewhere");
  const listed = conflux(elsewhere, caches, "inspect", "--json", join(work, "app.cfx"));
  const manifest = (
    JSON.parse(listed.stdout) as { manifest: { record?: string; files: { path: string; role: string }[] } }
  ).manifest;
  assert.equal(manifest.record, "record");
  assert.ok(manifest.files.some((file) => file.path === "record/run.json" && file.role === "reference run"));

  const verified = conflux(elsewhere, caches, "repro", "verify", join(work, "app.cfx"), "--quiet");
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /reproduced/);
  assert.match(verified.stdout, /replaying from the bundle/);
  // The replay's record is where a run of the bundle writes, naming the run it replayed.
  const replays = readdirSync(join(elsewhere, "conflux-runs"));
  assert.equal(replays.length, 1);
  const replay = JSON.parse(readFileSync(join(elsewhere, "conflux-runs", replays[0] as string, "run.json"), "utf8"));
  assert.equal(replay.verification.outcome, "reproduced");

  const without = conflux(elsewhere, caches, "repro", "verify", join(work, "plain.cfx"), "--quiet");
  assert.equal(without.code, 2, without.stderr);
  assert.match(
    without.stderr,
    /carries no run to compare with: give one with --record RUN_DIR, or pack the bundle with --record RUN_DIR/,
  );
});

test("pack --record refuses a run of another composition, or one that failed, by name", (t) => {
  const work = scratch(t, "record-refused");
  const composition = seedProject(work);
  const ran = conflux(work, {}, "run", composition, "--iterations", "2", "--quiet", "--results", "runs");
  assert.equal(ran.code, 0, ran.stderr);
  const runDirectory = join(work, "runs", readdirSync(join(work, "runs"))[0] as string);
  writeFileSync(composition, readFileSync(composition, "utf8").replace("iterations: 500", "iterations: 400"));
  const other = conflux(work, {}, "pack", composition, "--record", runDirectory, "-o", "app.cfx");
  assert.equal(other.code, 2, other.stderr);
  assert.match(
    other.stderr,
    /--record .*: the run is of .*conflux\.yaml as it was then .*; run it again and carry that record/,
  );
  assert.doesNotMatch(other.stderr, /\n\s+at /, "no stack trace");
  assert.equal(existsSync(join(work, "app.cfx")), false);
  const missing = conflux(work, {}, "pack", composition, "--record", join(work, "nowhere"), "-o", "app.cfx");
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--record .*nowhere/);
});
