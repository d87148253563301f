// What a component ran on, for the run record: enough to tell two runs'
// environments apart, with secrets in the environment replaced by a marker.
import { arch, cpus as hostCpus, platform, release } from "node:os";
import type { EnclaveKind } from "./kind.ts";

/** Variable names that hold secrets; their values never reach a record. */
export const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|KEY)/i;
export const REDACTED = "[redacted]";

export interface EnclaveDescription {
  kind: EnclaveKind;
  name: string;
  pid: number;
  /**
   * The host pid of the process that runs the component's own code, where that
   * is not `pid` (a crun container's init runs it as its child): the process
   * whose loaded libraries a run record lists.
   */
  codePid?: number;
  /** A component of many ranks that the driver started itself: each rank's pid, in rank order. */
  rankPids?: number[];
  threadId?: number;
  /** The Node.js version that runs a module component (absent for a command). */
  node?: string;
  platform: string;
  arch: string;
  /** The kernel release (uname -r). */
  kernel: string;
  cpuModel: string;
  /** The CPUs the component may run on. */
  cpus: number[];
  /** What was executed: the process's argv, or, for a thread, the module it imported. */
  commandLine: string[];
  cwd: string;
  /** The component's environment, secrets redacted. */
  env: Record<string, string>;
  /**
   * The CPU flags the component sees, for a backend whose component runs on
   * another (virtual) CPU than the host's; the run record reads the host's otherwise.
   */
  cpuFlags?: string[];
  /**
   * The software stack (a container's root file system) or VM image the
   * component runs on, identified by content, for the backend that has one:
   * `sha256` the stack's hash, `imageDigest` its OCI image digest when it was
   * installed from a bundle (docs/bundles.md).
   */
  software?: { kind: "stack" | "image"; name: string; sha256?: string; imageDigest?: string };
}

export function redactEnvironment(environment: Record<string, string>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) redacted[key] = SECRET_NAME.test(key) ? REDACTED : value;
  return redacted;
}

/** The host facts every backend that runs on this kernel shares. */
export function describeHost(): Pick<EnclaveDescription, "platform" | "arch" | "kernel" | "cpuModel"> {
  return { platform: platform(), arch: arch(), kernel: release(), cpuModel: hostCpus()[0]?.model ?? "unknown" };
}
