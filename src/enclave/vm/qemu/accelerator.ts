// enclave/vm/qemu/ owns QEMU's side: which accelerator a guest gets and QEMU's command line.
// It must not know the guest's protocols or its image: it turns settings into arguments.

// KVM when it really runs guests, TCG (QEMU's emulator) otherwise. A /dev/kvm
// that opens and answers KVM_GET_API_VERSION may still not run a guest (nested
// virtualization that traps every exit), so the probe boots the firmware with
// no disk: it finds nothing to boot and resets, which with -no-reboot ends QEMU.
// TCG does that in about 0.2 s; a working KVM faster. Given the guest kernel, it
// boots that too, with -cpu host and a guest's memory, to its panic for want of a
// root (panic=-1 and -no-reboot end QEMU): nested KVM can run the firmware and a
// small guest yet stall a kernel of 1 GiB in an emulation failure it never leaves.
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type Accelerator = "kvm" | "tcg";

export interface AcceleratorChoice {
  accel: Accelerator;
  /** Why: "KVM works", or what failed. */
  reason: string;
}

/** The requested accelerator: auto (the default) probes KVM. */
export type AcceleratorRequest = "auto" | Accelerator;

const PROBE_TIMEOUT_MS = 2000;
/** A kernel under working KVM reaches its panic in 1 to 5 s; a stalled one never does. */
const KERNEL_PROBE_TIMEOUT_MS = 15_000;
/** As much memory as a guest gets by default (the stall above shows with it, not with 64 MiB). */
const KERNEL_PROBE_MEMORY_MB = "1024";
let probed: AcceleratorChoice | undefined;

function probeKvm(qemu: string, kernel?: string): AcceleratorChoice {
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return { accel: "tcg", reason: "/dev/kvm is absent or not accessible" };
  }
  const result = spawnSync(
    qemu,
    [
      "-accel",
      "kvm",
      "-machine",
      "pc",
      "-nodefaults",
      "-display",
      "none",
      "-no-reboot",
      "-m",
      "16",
      "-boot",
      "reboot-timeout=0",
      "-serial",
      "none",
      "-monitor",
      "none",
    ],
    { encoding: "utf8", timeout: PROBE_TIMEOUT_MS, killSignal: "SIGKILL" },
  );
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    return {
      accel: "tcg",
      reason: `/dev/kvm opens, but a KVM guest did not get through its firmware within ${PROBE_TIMEOUT_MS} ms`,
    };
  }
  if (result.status !== 0) {
    const why = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split("\n").pop();
    return { accel: "tcg", reason: `KVM fails: ${why}` };
  }
  if (kernel === undefined) return { accel: "kvm", reason: "KVM runs guests" };
  const booted = spawnSync(
    qemu,
    [
      ...["-accel", "kvm", "-cpu", "host", "-machine", "pc", "-nodefaults", "-display", "none", "-no-reboot"],
      ...["-m", KERNEL_PROBE_MEMORY_MB, "-kernel", kernel, "-append", "console=ttyS0 panic=-1 loglevel=0"],
      ...["-serial", "none", "-monitor", "none"],
    ],
    { encoding: "utf8", timeout: KERNEL_PROBE_TIMEOUT_MS, killSignal: "SIGKILL" },
  );
  if (booted.status !== 0) {
    return {
      accel: "tcg",
      reason: `KVM runs the firmware, but the guest kernel did not boot under it within ${KERNEL_PROBE_TIMEOUT_MS} ms (nested virtualization that stalls)`,
    };
  }
  return { accel: "kvm", reason: "KVM runs guests" };
}

/**
 * The probe's answer holds until the host reboots (or KVM's module is loaded
 * or unloaded, which needs root and a reason): remembered per boot, so every
 * process that starts a guest does not pay seconds of a stuck KVM guest again.
 */
function rememberedProbe(qemu: string, cache: string | undefined, kernel: string | undefined): AcceleratorChoice {
  if (cache === undefined) return probeKvm(qemu, kernel);
  let bootId = "";
  try {
    bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return probeKvm(qemu, kernel);
  }
  // "kernel-": answers of the probe that booted no kernel are not trusted.
  const file = join(cache, `kvm-probe-kernel-${bootId}.json`);
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as AcceleratorChoice;
    if ((saved.accel === "kvm" || saved.accel === "tcg") && typeof saved.reason === "string") return saved;
  } catch {
    // not probed on this boot yet
  }
  const choice = probeKvm(qemu, kernel);
  try {
    mkdirSync(cache, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(choice));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // a cache we cannot write only costs the next process another probe
  }
  return choice;
}

/**
 * Decides once per process (and, given `cache`, once per host boot); `kvm`
 * asked for but not working is an error, not a silent fallback.
 */
export function chooseAccelerator(
  request: AcceleratorRequest,
  qemu: string,
  cache?: string,
  kernel?: string,
): AcceleratorChoice {
  if (request === "tcg") return { accel: "tcg", reason: "TCG was asked for" };
  probed ??= rememberedProbe(qemu, cache, kernel);
  if (request === "kvm" && probed.accel !== "kvm") {
    throw new Error(`accel kvm was asked for, but ${probed.reason}; use accel auto or tcg`);
  }
  return probed;
}
