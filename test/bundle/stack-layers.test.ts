// Stacks in a bundle: two stored stacks built on one base share its layer in
// the archive, and installing them into an empty store gives back their trees
// (files, modes, hard links, and absolute symbolic links that keep meaning the
// stack's own root). The stacks here are small trees laid out as `conflux stack
// build` stores them, so the test needs no Debian mirror.
import assert from "node:assert/strict";
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { conflux, scratch } from "./bundle-support.ts";

const BASE = "b".repeat(64);

function storeBase(store: string): void {
  const base = join(store, "bases", BASE, "rootfs");
  mkdirSync(join(base, "usr/bin"), { recursive: true });
  mkdirSync(join(base, "etc"), { recursive: true });
  writeFileSync(join(base, "usr/bin/tool"), "#!/bin/sh\necho tool\n");
  chmodSync(join(base, "usr/bin/tool"), 0o4755);
  writeFileSync(join(base, "etc/conf"), "setting=1\n");
  linkSync(join(base, "etc/conf"), join(base, "etc/conf-again"));
  symlinkSync("usr/bin", join(base, "bin"));
  symlinkSync("/etc/conf", join(base, "usr/bin/absolute-conf"));
}

function storeStack(store: string, name: string, hash: string, file: string): void {
  const base = join(store, "bases", BASE, "rootfs");
  const rootfs = join(store, hash, "rootfs");
  mkdirSync(rootfs, { recursive: true });
  // Hard links into the base, as stack builds make them; then the spec's file on top.
  for (const path of ["usr/bin/tool", "etc/conf", "etc/conf-again"]) {
    mkdirSync(join(rootfs, path, ".."), { recursive: true });
    linkSync(join(base, path), join(rootfs, path));
  }
  symlinkSync("usr/bin", join(rootfs, "bin"));
  symlinkSync("/etc/conf", join(rootfs, "usr/bin/absolute-conf"));
  mkdirSync(join(rootfs, "opt", name), { recursive: true });
  writeFileSync(join(rootfs, "opt", name, "solver"), file);
  chmodSync(join(rootfs, "opt", name, "solver"), 0o755);
  const manifest = {
    format: 1,
    name,
    hash,
    base: BASE,
    release: "bookworm",
    architecture: "amd64",
    mirror: "http://deb.debian.org/debian",
    packages: ["python3-minimal"],
    files: [{ to: `/opt/${name}/solver`, mode: 0o755, sha256: "0".repeat(64) }],
    installed: [{ package: "python3-minimal", version: "3.11.2-1+b1" }],
    spec: `${name}.stack.yaml`,
    builtUnixMs: 0,
  };
  writeFileSync(join(store, hash, "stack.json"), JSON.stringify(manifest));
  mkdirSync(join(store, "names"), { recursive: true });
  symlinkSync(join("..", hash), join(store, "names", name));
}

const composition = `version: 1
name: two-stacks
components:
  left:
    enclave: { kind: container, container: { stack: left } }
    command: [./left.sh]
    meshes: { m: { dimension: 1, points: 2, fields: [u] } }
  right:
    enclave: { kind: container, container: { stack: right } }
    command: [./right.sh]
    meshes: { m: { dimension: 1, points: 2, fields: [u] } }
transfers:
  - { from: left.m.u, to: right.m.u, operator: { method: nearest } }
coupling: { scheme: serial-explicit, iterations: 1, order: [left, right] }
`;

test("stacks built on one base share its layer, and install into an empty store as they were", async (t) => {
  const work = scratch(t, "stacks");
  const store = join(work, "store");
  storeBase(store);
  storeStack(store, "left", "1".repeat(64), "left solver\n");
  storeStack(store, "right", "2".repeat(64), "right solver\n");
  writeFileSync(join(work, "conflux.yaml"), composition);
  for (const side of ["left", "right"])
    writeFileSync(join(work, `${side}.sh`), "#!/bin/sh\nexec /opt/$0/solver\n", { mode: 0o755 });
  const packed = conflux(work, { CONFLUX_STACKS: store }, "pack", "conflux.yaml", "-o", "app.cfx");
  assert.equal(packed.code, 0, packed.stderr);
  const again = conflux(work, { CONFLUX_STACKS: store }, "pack", "conflux.yaml", "-o", "again.cfx");
  assert.equal(again.code, 0, again.stderr);
  assert.ok(readFileSync(join(work, "app.cfx")).equals(readFileSync(join(work, "again.cfx"))), "byte-identical");

  const inspect = conflux(work, {}, "inspect", "--json", "app.cfx");
  assert.equal(inspect.code, 0, inspect.stderr);
  const { manifest } = JSON.parse(inspect.stdout) as {
    manifest: {
      stacks: { name: string; imageDigest: string; layers: string[] }[];
      files: { path: string; role: string }[];
    };
  };
  const [left, right] = manifest.stacks;
  assert.ok(left !== undefined && right !== undefined);
  assert.equal(left.layers[0], right.layers[0], "the base layer is one blob");
  assert.notEqual(left.layers[1], right.layers[1]);
  assert.notEqual(left.imageDigest, right.imageDigest);
  assert.equal(
    manifest.files.filter((file) => file.role === "oci blob").length,
    3 + 2 + 2,
    "3 layers, 2 configs, 2 manifests",
  );
  const text = conflux(work, {}, "inspect", "app.cfx");
  assert.match(text.stdout, /stack left: image sha256:[0-9a-f]{64}, Debian bookworm amd64/);
  assert.match(text.stdout, /installed \(1\): python3-minimal=3\.11\.2-1\+b1/);

  // Installed into an empty store, by the library `conflux run` uses.
  const { unpackBundle, installStacks } = await import("../../src/bundle/index.ts");
  const unpacked = await unpackBundle(join(work, "app.cfx"), join(work, "unpacked"));
  const fresh = join(work, "fresh-store");
  const installed = await installStacks(unpacked.directory, unpacked.manifest, fresh);
  assert.deepEqual(
    installed.map((stack) => [stack.name, stack.installed]),
    [
      ["left", true],
      ["right", true],
    ],
  );
  const root = join(fresh, "1".repeat(64), "rootfs");
  assert.equal(readFileSync(join(root, "opt/left/solver"), "utf8"), "left solver\n");
  assert.equal(lstatSync(join(root, "opt/left/solver")).mode & 0o7777, 0o755);
  assert.equal(lstatSync(join(root, "usr/bin/tool")).mode & 0o7777, 0o4755, "setuid kept");
  assert.equal(readlinkSync(join(root, "bin")), "usr/bin");
  assert.equal(
    readlinkSync(join(root, "usr/bin/absolute-conf")),
    "/etc/conf",
    "an absolute link is kept, not followed",
  );
  assert.equal(lstatSync(join(root, "etc/conf")).ino, lstatSync(join(root, "etc/conf-again")).ino, "hard link kept");
  assert.equal(readlinkSync(join(fresh, "names/right")), join("..", "2".repeat(64)));
  const stored = JSON.parse(readFileSync(join(fresh, "2".repeat(64), "stack.json"), "utf8"));
  assert.equal(stored.name, "right");
  assert.equal(stored.imageDigest, right.imageDigest, "the run record names the stack by this digest");
  const secondTime = await installStacks(unpacked.directory, unpacked.manifest, fresh);
  assert.ok(
    secondTime.every((stack) => !stack.installed),
    "a stored stack is kept",
  );
});
