// bubblewrap as a container runtime: no root needed (user namespaces), no files
// on disk, ~6 ms to start. bwrap reports its child's pid and, at the end, the
// component's exit code as JSON lines on a pipe (--json-status-fd). With a pid
// namespace that child is bwrap itself as the namespace's init, and the
// component is its only child: the one to watch and to signal, since the init
// ignores SIGTERM (a namespace's init receives from outside only the signals it
// handles, and SIGKILL).
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { native } from "../../../native/index.ts";
import { findExecutable } from "../../../platform/executable.ts";
import { firstChild } from "../../../platform/process-children.ts";
import type { ContainerRoot } from "../root.ts";
import type { ContainerRuntime, PreparedContainer } from "../runtime.ts";
import type { ContainerLaunch } from "../settings.ts";
import { BWRAP_STATUS_FD, bubblewrapArguments } from "./arguments.ts";

export class BubblewrapRuntime implements ContainerRuntime {
  readonly name = "bubblewrap";

  prepare(launch: ContainerLaunch, root: ContainerRoot, network: boolean): PreparedContainer {
    const bwrap = findExecutable("bwrap");
    if (bwrap === undefined) {
      throw new Error(
        `component ${launch.name}: container runtime bubblewrap needs bwrap, which is not on PATH; install it (apt-get install bubblewrap)`,
      );
    }
    return {
      argv: [bwrap, ...bubblewrapArguments(root, network)],
      environment: root.environment,
      extraPipes: 1,
      componentPid: async (runtime) => {
        const init = await childPidFromStatus(runtime);
        return init === undefined ? undefined : componentUnder(init);
      },
      explain: explainBubblewrap,
      watchesInit: false,
      cleanup: () => {},
    };
  }
}

/** Reads bwrap's status lines until one names the child's pid. */
function childPidFromStatus(runtime: ChildProcess): Promise<number | undefined> {
  const status = runtime.stdio[BWRAP_STATUS_FD];
  return new Promise((resolve) => {
    if (status === null || status === undefined || !("on" in status)) {
      resolve(undefined);
      return;
    }
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match !== null) {
        status.removeListener("data", onData);
        // Keep reading (and dropping) the rest, so bwrap never blocks on a full pipe.
        status.on("data", () => {});
        resolve(Number(match[1]));
      }
    };
    status.on("data", onData);
    status.once("close", () => resolve(undefined));
    status.once("error", () => resolve(undefined));
  });
}

/**
 * The component's pid as this host sees it: the namespace init's one child,
 * which appears once bwrap has set up the mounts. Watched through a pidfd, so
 * an init that has ended (even one its bwrap has not reaped yet) ends the
 * search. A component so quick that it has ended before we look leaves the
 * init ending too; the init's pid then stands in, already dead or about to be.
 */
async function componentUnder(init: number): Promise<number> {
  let initFd: number;
  try {
    initFd = native.pidfdOpen(init);
  } catch {
    return init; // ended already
  }
  try {
    for (;;) {
      const child = firstChild(init);
      if (child > 0) return child;
      if (!native.pidfdAlive(initFd)) return init;
      await sleep(1);
    }
  } finally {
    native.closeFd(initFd);
  }
}

/** bwrap prints "bwrap: <what failed>: <errno text>"; these are the ones a user can fix. */
function explainBubblewrap(stderr: string): string | undefined {
  const line = stderr
    .split("\n")
    .reverse()
    .find((text) => text.startsWith("bwrap: "));
  if (line === undefined) return undefined;
  if (/namespace|uid map|setting up uid|Operation not permitted|No permissions/i.test(line)) {
    return `bubblewrap cannot create its namespaces here (${line}); allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0) or run as root`;
  }
  if (/Can't find source path/.test(line)) return `${line.slice(7)}: a path the container binds is missing`;
  if (/execvp/.test(line)) return `${line.slice(7)}: the program is not in the container's root filesystem`;
  return `bubblewrap failed: ${line.slice(7)}`;
}
