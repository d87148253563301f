// Stacks from and to the images users already have, with the OCI tools that
// make and run them: Buildah builds a two-layer image (the second deletes a
// file of the first), Buildah writes it as an OCI layout, an oci-archive and a
// docker archive, and `conflux stack import` makes the same stack of each; a
// component in a container on that stack couples with the driver as it does on
// the host; `conflux stack export` writes an image that Skopeo reads, umoci
// unpacks and Podman runs as it is. Every tool keeps its storage in a
// directory of this test, removed at the end.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readRunRecord } from "../../src/record/run-record.ts";
import { compileWithClient } from "../clients/toolchain.ts";
import { projectRoot } from "../support/child-process.ts";
import { type OciTools, ociTools } from "../support/oci-tools.ts";
import {
  BUBBLEWRAP,
  BUILDAH,
  BUSYBOX,
  C_COMPILER,
  needs,
  PODMAN,
  SKOPEO,
  STATIC_LIBC,
  UMOCI,
} from "../support/requirements.ts";

const gate = needs(BUILDAH, SKOPEO, UMOCI, PODMAN, BUSYBOX, BUBBLEWRAP, C_COMPILER, STATIC_LIBC);
const ready = gate.skip === undefined && gate.signal === undefined;

let work = "";
/** The stack store conflux uses here. */
let stacks = "";

function run(program: string, args: string[], environment: NodeJS.ProcessEnv = {}): string {
  const ran = spawnSync(program, args, { encoding: "utf8", env: { ...process.env, ...environment }, timeout: 600_000 });
  assert.equal(ran.status, 0, `${program} ${args.join(" ")}:\n${ran.stdout}\n${ran.stderr}`);
  return ran.stdout;
}

let tools: OciTools | undefined;
const buildah = (...args: string[]) => oci().run("buildah", ...oci().storage, ...args);

function oci(): OciTools {
  assert.ok(tools !== undefined, "the OCI tools are set up before the tests");
  return tools;
}
const conflux = (...args: string[]) =>
  spawnSync(process.execPath, [join(projectRoot, "bin/conflux.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, CONFLUX_STACKS: stacks },
    timeout: 600_000,
  });

before(() => {
  if (!ready) return;
  work = mkdtempSync(join(tmpdir(), "conflux-images-"));
  tools = ociTools(work);
  stacks = join(work, "stacks");
  // Layer 1: busybox, a release file and a file to delete; layer 2 deletes one file of layer 1 and adds another.
  const first = buildah("from", "scratch").trim();
  const root = buildah("mount", first).trim();
  // Laid out as Debian's images are: /bin a link into /usr.
  mkdirSync(join(root, "usr/bin"), { recursive: true });
  mkdirSync(join(root, "etc"));
  cpSync("/bin/busybox", join(root, "usr/bin/busybox"));
  run("ln", ["-s", "busybox", join(root, "usr/bin/sh")]);
  run("ln", ["-s", "usr/bin", join(root, "bin")]);
  writeFileSync(join(root, "etc/os-release"), "ID=busybox\nVERSION_CODENAME=tiny\n");
  writeFileSync(join(root, "etc/removed-later"), "from the first layer\n");
  buildah("commit", "-q", first, "conflux-test-base");
  const second = buildah("from", "conflux-test-base").trim();
  const upper = buildah("mount", second).trim();
  rmSync(join(upper, "etc/removed-later"));
  writeFileSync(join(upper, "etc/added"), "from the second layer\n");
  buildah("commit", "-q", second, "conflux-test:1");
  buildah("push", "-q", "conflux-test:1", `oci:${join(work, "layout")}:conflux-test`);
  buildah("push", "-q", "conflux-test:1", `oci-archive:${join(work, "image.oci.tar")}:conflux-test`);
  buildah("push", "-q", "conflux-test:1", `docker-archive:${join(work, "image.docker.tar")}:conflux-test:1`);
});

/** The stack "tiny" of the image's layout, imported once (by the first test that needs it). */
function importedTiny(): void {
  if (existsSync(join(stacks, "names", "tiny"))) return;
  const imported = conflux("stack", "import", join(work, "layout"), "--name", "tiny");
  assert.equal(imported.status, 0, imported.stderr);
}

after(() => {
  tools?.close();
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

test(
  "an OCI layout, an oci-archive and a docker archive of one image import as one stack, its whiteouts applied",
  gate,
  () => {
    const hashes = new Set<string>();
    for (const [name, image] of [
      ["tiny", "layout"],
      ["tinyoci", "image.oci.tar"],
      ["tinydocker", "image.docker.tar"],
    ] as const) {
      const imported = conflux("stack", "import", join(work, image), "--name", name);
      assert.equal(imported.status, 0, imported.stderr);
      const hash = /^stack \S+ ([0-9a-f]{12}):/.exec(imported.stdout)?.[1];
      assert.ok(hash, imported.stdout);
      hashes.add(hash);
    }
    assert.equal(hashes.size, 1, "the image's ID names the stack, whatever the format");
    const stored = readdirSync(stacks).filter((entry) => /^[0-9a-f]{64}$/.test(entry));
    assert.equal(stored.length, 1);
    const rootfs = join(stacks, stored[0] as string, "rootfs");
    assert.equal(readFileSync(join(rootfs, "etc/added"), "utf8"), "from the second layer\n");
    assert.equal(existsSync(join(rootfs, "etc/removed-later")), false, "the second layer's whiteout removed it");
    assert.equal(existsSync(join(rootfs, "etc/.wh.removed-later")), false, "a whiteout is no file of the tree");
    const manifest = JSON.parse(readFileSync(join(stacks, stored[0] as string, "stack.json"), "utf8"));
    assert.equal(manifest.release, "tiny");
    assert.match(manifest.imageDigest, /^sha256:[0-9a-f]{64}$/);
    const listed = conflux("stack", "ls");
    assert.match(listed.stdout, /tiny, tinydocker, tinyoci {2}[0-9a-f]{12} {2}image conflux-test/);
  },
);

test("a tampered image is refused, naming what does not match", gate, () => {
  // A docker archive whose layer was changed after its config was written.
  const unpacked = join(work, "tampered-docker");
  mkdirSync(unpacked);
  run("tar", ["-xf", join(work, "image.docker.tar"), "-C", unpacked]);
  const entries = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8")) as { Layers: string[] }[];
  const layer = entries[0]?.Layers[0] as string;
  writeFileSync(join(unpacked, layer), Buffer.concat([readFileSync(join(unpacked, layer)), Buffer.alloc(1024)]));
  run("tar", ["-cf", join(work, "tampered.docker.tar"), "-C", unpacked, "."]);
  const docker = conflux("stack", "import", join(work, "tampered.docker.tar"), "--name", "bad");
  assert.equal(docker.status, 2, docker.stderr);
  assert.match(
    docker.stderr,
    new RegExp(
      `layer ${layer.replace(/[.]/g, "\\.")} has sha256:[0-9a-f]{64}, and the config says sha256:[0-9a-f]{64}; the image was changed`,
    ),
  );
  // An OCI layout with one byte of a blob changed.
  const layout = join(work, "tampered-layout");
  cpSync(join(work, "layout"), layout, { recursive: true });
  const blobs = join(layout, "blobs/sha256");
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const manifestHex = String(index.manifests[0]?.digest).replace("sha256:", "");
  const manifest = JSON.parse(readFileSync(join(blobs, manifestHex), "utf8")) as { layers: { digest: string }[] };
  const layerHex = String(manifest.layers[0]?.digest).replace("sha256:", "");
  const bytes = readFileSync(join(blobs, layerHex));
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
  writeFileSync(join(blobs, layerHex), bytes);
  const oci = conflux("stack", "import", layout, "--name", "bad");
  assert.equal(oci.status, 2, oci.stderr);
  assert.match(
    oci.stderr,
    new RegExp(`blob sha256:${layerHex} \\(the layer 0\\) has sha256:[0-9a-f]{64}; the image was changed`),
  );
  assert.equal(readdirSync(join(stacks, "names")).includes("bad"), false, "nothing was stored under the name");
});

test("a component in a container on the imported stack couples with the driver as on the host", gate, () => {
  importedTiny();
  // A C component linked statically: the image has no C library, only busybox.
  const directory = join(work, "app");
  mkdirSync(directory);
  compileWithClient(directory, "app_a", ["examples/c-component/app_a.c"], ["-static"]);
  const seed = readFileSync(join(projectRoot, "examples/seed-dtk/conflux.yaml"), "utf8")
    .replace("module: ./app-b.ts", `module: ${join(projectRoot, "examples/seed-dtk/app-b.ts")}`)
    .replace("iterations: 500", "iterations: 50");
  const onHost = join(directory, "host.yaml");
  writeFileSync(onHost, seed.replace("module: ./app-a.ts", "command: [./app_a]"));
  const inImage = join(directory, "image.yaml");
  writeFileSync(
    inImage,
    seed.replace(
      "appA:\n    enclave:\n      kind: process\n    module: ./app-a.ts",
      "appA:\n    enclave:\n      kind: container\n      container: { stack: tiny }\n    command: [./app_a]",
    ),
  );
  const digests = (file: string, results: string) => {
    const ran = conflux("run", file, "--quiet", "--results", results);
    assert.equal(ran.status, 0, ran.stderr);
    const record = readRunRecord(join(results, readdirSync(results)[0] as string));
    return { record, fields: Object.fromEntries(record.fields.map((field) => [field.name, field.sha256])) };
  };
  const host = digests(onHost, join(work, "runs-host"));
  const image = digests(inImage, join(work, "runs-image"));
  assert.deepEqual(image.fields, host.fields, "the same fields, bit for bit");
  const appA = image.record.enclaves.find((enclave) => enclave.component === "appA");
  assert.equal(appA?.kind, "container");
  // The record names the stack by the image it came from.
  const software = appA?.description.software as { name?: string; imageDigest?: string } | undefined;
  assert.equal(software?.name, "tiny");
  assert.match(software?.imageDigest ?? "", /^sha256:[0-9a-f]{64}$/);
});

test(
  "an exported stack is an image Skopeo reads, umoci unpacks and Podman runs as it is, the same bytes every time",
  gate,
  () => {
    const archive = join(work, "exported.tar");
    const exported = conflux("stack", "export", "tiny", "-o", archive);
    assert.equal(exported.status, 0, exported.stderr);
    const digest = /image (sha256:[0-9a-f]{64})/.exec(exported.stdout)?.[1];
    assert.ok(digest, exported.stdout);
    const again = conflux("stack", "export", "tiny", "-o", join(work, "again.tar"));
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(readFileSync(join(work, "again.tar")), readFileSync(archive), "exporting twice gives one file");

    const inspected = JSON.parse(oci().run("skopeo", "inspect", `oci-archive:${archive}`)) as { Digest: string };
    assert.equal(inspected.Digest, digest);

    const layout = join(work, "exported-layout");
    assert.equal(conflux("stack", "export", "tiny", "-o", layout).status, 0);
    const bundle = join(work, "umoci-bundle");
    oci().run("umoci", "unpack", "--image", `${layout}:tiny`, bundle);
    assert.equal(readFileSync(join(bundle, "rootfs/etc/added"), "utf8"), "from the second layer\n");

    const output = oci().podmanRun(
      `oci-archive:${archive}`,
      "/bin/sh",
      "-c",
      "cat /etc/added; test -e /etc/removed-later || echo whited-out",
    );
    assert.equal(output, "from the second layer\nwhited-out\n");
  },
);
