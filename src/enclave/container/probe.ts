// Whether a container runtime works on this machine, found out the only
// reliable way: by running `true` in a container built exactly as a component's
// would be (same namespaces, same mounts, same cgroup workaround), for
// `conflux doctor`.
import { spawnSync } from "node:child_process";
import { BubblewrapRuntime } from "./bubblewrap/runtime.ts";
import { cgroupLayout } from "./oci/cgroup-layout.ts";
import { OciRuntime } from "./oci/runtime.ts";
import { containerRoot } from "./root.ts";
import type { PreparedContainer } from "./runtime.ts";
import { type ContainerLaunch, type ContainerRuntimeName, containerSettings } from "./settings.ts";

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export function probeContainerRuntime(runtime: ContainerRuntimeName): ProbeResult {
  const launch: ContainerLaunch = {
    name: "doctor-probe",
    command: ["true"],
    runDirectory: "/nonexistent-run",
    cwd: "/",
    container: { runtime },
  };
  let prepared: PreparedContainer;
  try {
    const root = containerRoot(launch, containerSettings(launch));
    prepared = (runtime === "crun" ? new OciRuntime() : new BubblewrapRuntime()).prepare(launch, root, false);
  } catch (error) {
    return { ok: false, detail: (error as Error).message.replace(/^component doctor-probe: /, "") };
  }
  try {
    const [file = "", ...args] = prepared.argv;
    const result = spawnSync(file, args, {
      env: prepared.environment,
      stdio: ["ignore", "pipe", "pipe", ...Array.from({ length: prepared.extraPipes }, () => "pipe" as const)],
      encoding: "utf8",
      timeout: 20_000,
    });
    if (result.status === 0) return { ok: true, detail: worksDetail(runtime) };
    const stderr = `${result.stderr ?? ""}`;
    const reason =
      prepared.explain(stderr) ??
      (stderr.trim().split("\n").slice(-1)[0] || result.error?.message || `exit ${result.status}`);
    return { ok: false, detail: reason };
  } finally {
    prepared.cleanup();
  }
}

function worksDetail(runtime: ContainerRuntimeName): string {
  if (runtime === "bubblewrap") {
    return process.getuid?.() === 0 ? "works (as root)" : "works without root (user namespaces)";
  }
  const layout = cgroupLayout();
  return layout.kind === "hybrid"
    ? `works, as root, with the cgroup workaround this hybrid layout needs (crun runs in a private mount namespace without ${layout.unmountForCrun.join(", ")}; no cgroup of its own)`
    : `works, as root (cgroup ${layout.kind}; no cgroup of its own)`;
}
