// enclave/vm/qemu/ owns QEMU's side: which accelerator a guest gets and QEMU's command line.
// It must not know the guest's protocols or its image: it turns settings into arguments.

// KVM when it really runs guests, TCG (QEMU's emulator) otherwise. A /dev/kvm
// that opens and answers KVM_GET_API_VERSION may still not run a guest (nested
// virtualization that traps every exit), so the probe boots the firmware with
// no disk: it finds nothing to boot and resets, which with -no-reboot ends QEMU.
// TCG does that in about 0.2 s; a working KVM faster.
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
let probed: AcceleratorChoice | undefined;

function probeKvm(qemu: string): AcceleratorChoice {
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
  return { accel: "kvm", reason: "KVM runs guests" };
}

/**
 * The probe's answer holds until the host reboots (or KVM's module is loaded
 * or unloaded, which needs root and a reason): remembered per boot, so every
 * process that starts a guest does not pay seconds of a stuck KVM guest again.
 */
function rememberedProbe(qemu: string, cache: string | undefined): AcceleratorChoice {
  if (cache === undefined) return probeKvm(qemu);
  let bootId = "";
  try {
    bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return probeKvm(qemu);
  }
  const file = join(cache, `kvm-probe-${bootId}.json`);
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as AcceleratorChoice;
    if ((saved.accel === "kvm" || saved.accel === "tcg") && typeof saved.reason === "string") return saved;
  } catch {
    // not probed on this boot yet
  }
  const choice = probeKvm(qemu);
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
export function chooseAccelerator(request: AcceleratorRequest, qemu: string, cache?: string): AcceleratorChoice {
  if (request === "tcg") return { accel: "tcg", reason: "TCG was asked for" };
  probed ??= rememberedProbe(qemu, cache);
  if (request === "kvm" && probed.accel !== "kvm") {
    throw new Error(`accel kvm was asked for, but ${probed.reason}; use accel auto or tcg`);
  }
  return probed;
}
