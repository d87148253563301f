// The guest's kernel: Debian's cloud kernel (linux-image-cloud-amd64), which
// boots in about two seconds under TCG and has the PCI, serial and tmpfs
// support the guest needs built in. CONFLUX_VM_KERNEL names another.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const KERNEL_VARIABLE = "CONFLUX_VM_KERNEL";
const BOOT = "/boot";
const CLOUD_KERNEL = /^vmlinuz-(.+-cloud-amd64)$/;

export interface GuestKernel {
  path: string;
  /** The release the file name announces (the guest's uname -r reports the truth). */
  release: string;
}

/** The newest cloud kernel in /boot, or the one CONFLUX_VM_KERNEL names; undefined when there is none. */
export function findGuestKernel(environment: NodeJS.ProcessEnv = process.env): GuestKernel | undefined {
  const named = environment[KERNEL_VARIABLE];
  if (named !== undefined && named !== "") {
    return { path: named, release: /vmlinuz-(.+)$/.exec(named)?.[1] ?? "unknown" };
  }
  let entries: string[];
  try {
    entries = readdirSync(BOOT);
  } catch {
    return undefined;
  }
  const kernels = entries
    .map((name) => ({ name, match: CLOUD_KERNEL.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({
      path: join(BOOT, entry.name),
      release: entry.match?.[1] ?? "",
      time: statSync(join(BOOT, entry.name)).mtimeMs,
    }))
    .sort((a, b) => b.release.localeCompare(a.release, "en", { numeric: true }) || b.time - a.time);
  const newest = kernels[0];
  return newest === undefined ? undefined : { path: newest.path, release: newest.release };
}

export const KERNEL_FIX = `apt-get install -y linux-image-cloud-amd64 (or set ${KERNEL_VARIABLE} to a bzImage with PCI, 8250 serial and tmpfs built in)`;
