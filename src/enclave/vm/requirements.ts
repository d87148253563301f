// enclave/vm/ owns the VM backend: QEMU (qemu/), the guest's protocols (guest/) and what it boots (image/), assembled here.
// It must not know the other backends; what every backend shares lives in the enclave's top files.

// What kind vm needs from the host, each checked for real: QEMU, a guest
// kernel, busybox for the guest's init, a C compiler with a static libc for
// the guest agent, and which accelerator a guest would get.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { findExecutable } from "../../platform/executable.ts";
import type { Requirement } from "../../platform/requirement.ts";
import { findGuestKernel, KERNEL_FIX } from "./image/guest-kernel.ts";
import { chooseAccelerator } from "./qemu/accelerator.ts";

function staticCompiler(): Requirement {
  const cc = findExecutable("cc");
  if (cc === undefined) {
    return {
      what: "C compiler (guest agent)",
      ok: false,
      detail: "cc not on PATH",
      fix: "apt-get install -y gcc libc6-dev",
    };
  }
  const probe = spawnSync(cc, ["-static", "-x", "c", "-o", "/dev/null", "-"], {
    input: "int main(void) { return 0; }\n",
    encoding: "utf8",
    timeout: 30_000,
  });
  return probe.status === 0
    ? { what: "C compiler (guest agent)", ok: true, detail: `${cc} links statically` }
    : {
        what: "C compiler (guest agent)",
        ok: false,
        detail: "cannot link a static program",
        fix: "apt-get install -y libc6-dev",
      };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function vmRequirements(): Requirement[] {
  const qemu = findExecutable("qemu-system-x86_64");
  const kernel = findGuestKernel();
  const busybox = findExecutable("busybox") ?? (isExecutable("/bin/busybox") ? "/bin/busybox" : undefined);
  const requirements: Requirement[] = [
    qemu === undefined
      ? {
          what: "qemu-system-x86_64",
          ok: false,
          detail: "not found on PATH",
          fix: "apt-get install -y qemu-system-x86",
        }
      : { what: "qemu-system-x86_64", ok: true, detail: qemu },
    kernel === undefined || !existsSync(kernel.path)
      ? { what: "guest kernel", ok: false, detail: "no /boot/vmlinuz-*-cloud-amd64", fix: KERNEL_FIX }
      : { what: "guest kernel", ok: true, detail: kernel.path },
    busybox === undefined
      ? { what: "busybox (guest init)", ok: false, detail: "not found", fix: "apt-get install -y busybox-static" }
      : { what: "busybox (guest init)", ok: true, detail: busybox },
    staticCompiler(),
  ];
  if (qemu !== undefined) {
    const choice = chooseAccelerator("auto", qemu, undefined, kernel?.path);
    requirements.push({
      what: "accelerator",
      ok: true,
      detail: choice.accel === "kvm" ? "KVM" : `TCG emulation (slower, works): ${choice.reason}`,
    });
  }
  return requirements;
}
