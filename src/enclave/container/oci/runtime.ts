// crun as a container runtime. Each launch writes a bundle (config.json and a
// pid file) to a temporary directory, removed once crun has read it and on
// every other way out. The root is a small skeleton directory (the top-level
// symlinks and mount points) kept under crun's state directory and shared by
// all launches of one stack: crun creates mount points in it, and a stack's
// own, content-hashed tree must not change. On a hybrid cgroup layout crun runs
// in a private mount namespace without the cgroup2 mount (cgroup-layout.ts).
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../../../platform/executable.ts";
import { packagePath } from "../../../platform/package-root.ts";
import { staticProgram } from "../../../platform/static-program.ts";
import type { ContainerRoot } from "../root.ts";
import type { ContainerRuntime, PreparedContainer } from "../runtime.ts";
import type { ContainerLaunch } from "../settings.ts";
import { cgroupLayout } from "./cgroup-layout.ts";
import { ociConfig } from "./config.ts";
import { explainCrun } from "./failure.ts";

/** crun's state and the root skeletons (recreated by every launch); crun needs root here, and /run is root's tmpfs. */
export const CRUN_STATE_DIRECTORY = process.env.CONFLUX_CRUN_STATE ?? "/run/conflux/crun";

const STATE_DIRECTORY = join(CRUN_STATE_DIRECTORY, "state");

const INIT_SOURCE = packagePath("container/init.c");

/** Unmounts each argument up to "--", then becomes the rest: crun, in the mount namespace unshare made. */
const UNMOUNT_THEN_EXEC = 'while [ "$1" != -- ]; do umount "$1" || exit 125; shift; done; shift; exec "$@"';

export class OciRuntime implements ContainerRuntime {
  readonly name = "crun";

  prepare(launch: ContainerLaunch, root: ContainerRoot, network: boolean): PreparedContainer {
    const where = `component ${launch.name}`;
    const crun = findExecutable("crun");
    if (crun === undefined) {
      throw new Error(
        `${where}: container runtime crun is not on PATH; install it (apt-get install crun), or use runtime bubblewrap`,
      );
    }
    if (process.getuid?.() !== 0) {
      throw new Error(
        `${where}: container runtime crun needs root on this machine (rootless crun is not set up); run as root, or use runtime bubblewrap, which needs no root`,
      );
    }
    const layout = cgroupLayout();
    const unshare = findExecutable("unshare");
    if (layout.unmountForCrun.length > 0 && unshare === undefined) {
      throw new Error(
        `${where}: crun needs unshare (util-linux) on this machine's hybrid cgroup layout; install util-linux`,
      );
    }
    removeStaleState();
    const rootPath = skeleton(root);
    const bundle = mkdtempSync(join(tmpdir(), "conflux-oci-"));
    let stateOfThis = "";
    // crun removes its state when it ends by itself; one killed with SIGKILL cannot.
    const cleanup = () => {
      rmSync(bundle, { recursive: true, force: true });
      if (stateOfThis !== "") rmSync(stateOfThis, { recursive: true, force: true });
    };
    try {
      const config = ociConfig({
        root,
        rootPath,
        network,
        init: containerInit(),
        uid: process.getuid?.() ?? 0,
        gid: process.getgid?.() ?? 0,
      });
      writeFileSync(join(bundle, "config.json"), JSON.stringify(config));
    } catch (error) {
      cleanup();
      throw error;
    }
    const pidFile = join(bundle, "pid");
    const id = `conflux-${launch.name.replace(/[^A-Za-z0-9_.-]/g, "-")}-${randomBytes(6).toString("hex")}`;
    stateOfThis = join(STATE_DIRECTORY, id);
    // No cgroup of its own: a crun killed with its supervisor would leave one behind, and no limits are set.
    const crunArgv = [crun, "--root", STATE_DIRECTORY, "--cgroup-manager=disabled"];
    crunArgv.push("run", "--preserve-fds", "1", "--bundle", bundle, "--pid-file", pidFile, id);
    const argv =
      layout.unmountForCrun.length === 0
        ? crunArgv
        : [
            unshare ?? "unshare",
            "-m",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            UNMOUNT_THEN_EXEC,
            "sh",
          ].concat(layout.unmountForCrun, ["--"], crunArgv);
    return {
      argv,
      // crun's own environment; the component's is in config.json.
      environment: Object.fromEntries(
        Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      // fd 3: the init's hang-up pipe (HANGUP_FD); crun passes it on, only the driver holds the other end.
      extraPipes: 1,
      componentPid: (runtime) => pidFromFile(runtime, pidFile, () => rmSync(bundle, { recursive: true, force: true })),
      explain: (stderr) => explainCrun(stderr, root.stackLabel),
      watchesInit: true,
      cleanup,
    };
  }
}

/**
 * Removes the state of containers whose crun died with its supervisor (SIGKILL
 * leaves no one to clean up): crun's status file names the container's
 * process and its start time, so a reused pid is not taken for it. Also removes
 * the root skeletons of stacks that no longer exist.
 */
export function removeStaleState(): void {
  let names: string[];
  try {
    names = readdirSync(STATE_DIRECTORY);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith("conflux-")) continue;
    const directory = join(STATE_DIRECTORY, name);
    try {
      const status = JSON.parse(readFileSync(join(directory, "status"), "utf8")) as {
        pid?: number;
        "process-start-time"?: number;
      };
      if (status.pid !== undefined && startTicks(status.pid) === status["process-start-time"]) continue;
    } catch {
      // no status yet: a crun starting right now, or one that died before writing it; leave it unless old
      if (Date.now() - modifiedMs(directory) < 60_000) continue;
    }
    rmSync(directory, { recursive: true, force: true });
  }
  const roots = join(CRUN_STATE_DIRECTORY, "roots");
  let skeletons: string[] = [];
  try {
    skeletons = readdirSync(roots).filter((name) => name.endsWith(".source"));
  } catch {
    // none yet
  }
  for (const name of skeletons) {
    const source = join(roots, name);
    if (existsSync(readFileSync(source, "utf8"))) continue;
    rmSync(source.slice(0, -".source".length), { recursive: true, force: true });
    rmSync(source, { force: true });
  }
}

function modifiedMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0; // gone meanwhile
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot; undefined once it has ended. */
function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // A zombie has ended; its parent (crun, gone) will never reap it, some init will.
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** The root directory crun pivots into: the stack's top-level symlinks; crun adds the mount points. */
function skeleton(root: ContainerRoot): string {
  const key = root.source === "/" ? "host" : createHash("sha256").update(root.source).digest("hex").slice(0, 16);
  const path = join(CRUN_STATE_DIRECTORY, "roots", key);
  mkdirSync(path, { recursive: true, mode: 0o755 });
  // Beside it, not in it (the container would see it): which tree it stands for, so a removed stack's goes too.
  writeFileSync(`${path}.source`, root.source);
  for (const entry of root.entries) {
    if (entry.kind !== "symlink") continue;
    try {
      symlinkSync(entry.target, join(path, entry.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return path;
}

/**
 * The container's init, built statically (a stack's libc may be older than the
 * host's) on first use and kept in the user's cache, like every other build of
 * ours: $XDG_CACHE_HOME/conflux/programs, else ~/.cache/conflux/programs.
 */
export function containerInit(): string {
  return staticProgram({
    name: "conflux-init",
    purpose: "the container init (container/init.c)",
    sources: [INIT_SOURCE],
    flags: ["-O2", "-Wall", "-Wextra", "-std=c11"],
    directory: join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "conflux", "programs"),
  });
}

/** Polls crun's pid file (written once the container's process exists), then drops the bundle crun no longer needs. */
function pidFromFile(runtime: ChildProcess, pidFile: string, cleanup: () => void): Promise<number | undefined> {
  return new Promise((resolve) => {
    let ended = runtime.exitCode !== null || runtime.signalCode !== null;
    runtime.once("exit", () => {
      ended = true;
    });
    const poll = () => {
      let pid = 0;
      try {
        pid = Number.parseInt(readFileSync(pidFile, "utf8"), 10);
      } catch {
        // not written yet
      }
      if (pid > 0) {
        cleanup();
        resolve(pid);
      } else if (ended) {
        resolve(undefined);
      } else {
        setTimeout(poll, 1);
      }
    };
    poll();
  });
}
