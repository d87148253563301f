// Podman, Buildah, Skopeo and umoci as tests run them: where they keep
// nothing of the host's (a private mount namespace with its own /run and
// /var/lib and /dev/shm, where they keep state, caches and locks besides the storage they are
// given), without the cgroup2 mount on a hybrid host (their crun refuses that
// tree), with temporary files and storage in the test's own directory.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cgroupLayout } from "../../src/enclave/container/oci/cgroup-layout.ts";

export interface OciTools {
  /** Global options of Podman and Buildah: storage under the test's directory. */
  storage: string[];
  /** Removes the runtime directory (the storage goes with the test's directory). */
  close(): void;
  run(program: string, ...args: string[]): string;
  /** `podman run --rm` of `image` (a transport:reference) with `command`: no network, limits it may set. */
  podmanRun(image: string, ...command: string[]): string;
}

export function ociTools(directory: string): OciTools {
  mkdirSync(join(directory, "tmp"), { recursive: true });
  // Podman refuses a runtime directory whose path is longer than 50 characters, as a test's own may be.
  const runroot = mkdtempSync(join("/tmp", "conflux-oci-"));
  const storage = ["--root", join(directory, "storage"), "--runroot", runroot, "--storage-driver", "vfs"];
  const run = (program: string, ...args: string[]): string => {
    const unmount = cgroupLayout()
      .unmountForCrun.map((mount) => `umount ${mount} && `)
      .join("");
    // Podman keeps its locks in /dev/shm (libpod_lock): a /dev/shm of the namespace's own too.
    const prepare = `mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/lib && mount -t tmpfs tmpfs /dev/shm && ${unmount}exec "$@"`;
    const ran = spawnSync("unshare", ["-m", "--", "sh", "-c", prepare, "oci-tool", program, ...args], {
      encoding: "utf8",
      env: { ...process.env, TMPDIR: join(directory, "tmp") },
      timeout: 600_000,
    });
    assert.equal(ran.status, 0, `${program} ${args.join(" ")}:\n${ran.stdout}\n${ran.stderr}`);
    return ran.stdout;
  };
  const podmanRun = (image: string, ...command: string[]): string =>
    run(
      "podman",
      ...storage,
      "--cgroup-manager",
      "cgroupfs",
      "--events-backend",
      "file",
      "run",
      "--rm",
      "--network",
      "none",
      "--ulimit",
      "nofile=1024:1024",
      "--ulimit",
      "nproc=1024:1024",
      image,
      ...command,
    );
  return { storage, run, podmanRun, close: () => rmSync(runroot, { recursive: true, force: true }) };
}
