// The QEMU command line of a guest: no default devices, the kernel and the
// initramfs, the kernel console on the first serial port (kept for
// diagnostics), the agent's framed console on the second (QEMU's stdin and
// stdout), and one ivshmem device per shared file: the arena first, at a fixed
// PCI address the kernel command line names, then the run's files. The kernel
// console goes to a file: QEMU cannot reopen Node's stdio, which are sockets.
import type { Accelerator } from "./accelerator.ts";

/** PCI slot of the arena; the shared files follow it. */
export const ARENA_SLOT = 2;
/** Slots 0 and 1 hold the host bridge and the ISA bridge; 31 is the last. */
export const MAX_SHARED_FILES = 31 - ARENA_SLOT;

export interface SharedFile {
  path: string;
  /** A power of two: a BAR's size. */
  bytes: number;
}

export interface QemuGuest {
  accel: Accelerator;
  vcpus: number;
  memoryMiB: number;
  kernel: string;
  initramfs: string;
  arena: SharedFile;
  files: readonly SharedFile[];
  /** Where the kernel console is written. */
  consoleLog: string;
}

export function pciAddress(slot: number): string {
  return `0000:00:${slot.toString(16).padStart(2, "0")}.0`;
}

export function qemuArguments(guest: QemuGuest): string[] {
  const kernelCommandLine = [
    "console=ttyS0",
    "quiet",
    "loglevel=3",
    // A kernel panic ends QEMU (with -no-reboot) instead of leaving a dead guest running.
    "panic=-1",
    "oops=panic",
    // The guest runs one trusted component; speculation mitigations only slow an emulated CPU down.
    "mitigations=off",
    // The kernel's crypto self-tests cost 0.2 s of an emulated boot and check nothing the guest uses.
    "cryptomgr.notests",
    // An emulated CPU on a busy host may miss the few timer ticks the kernel waits for to decide
    // that the IO-APIC routes the timer: it then panics ("IO-APIC + timer doesn't work", seen in
    // 2 of 4 boots with three busy loops on the guest's core). QEMU's timer is known to work.
    "no_timer_check",
    `conflux.arena=${pciAddress(ARENA_SLOT)}`,
  ].join(" ");
  // RDRAND (TCG emulates it from the host's random source): the kernel trusts it
  // (CONFIG_RANDOM_TRUST_CPU) and has its random pool ready at boot. Without it
  // the pool fills from timer jitter 3.6 s into an emulated boot, and node's start
  // blocks in getrandom() until then (1.1 s of every Node.js guest's start).
  const accel =
    guest.accel === "kvm"
      ? ["-accel", "kvm", "-cpu", "host"]
      : ["-accel", `tcg,thread=${guest.vcpus > 1 ? "multi" : "single"}`, "-cpu", "qemu64,+rdrand"];
  const memory = (id: string, file: SharedFile, slot: number) => [
    "-object",
    `memory-backend-file,id=${id},share=on,mem-path=${file.path},size=${file.bytes}`,
    "-device",
    `ivshmem-plain,memdev=${id},addr=0x${slot.toString(16)}`,
  ];
  return [
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-machine",
    "pc",
    ...accel,
    "-smp",
    String(guest.vcpus),
    "-m",
    String(guest.memoryMiB),
    "-kernel",
    guest.kernel,
    "-initrd",
    guest.initramfs,
    "-append",
    kernelCommandLine,
    "-chardev",
    `file,id=console,path=${guest.consoleLog}`,
    "-serial",
    "chardev:console",
    "-chardev",
    "stdio,id=agent,signal=off",
    "-serial",
    "chardev:agent",
    ...memory("arena", guest.arena, ARENA_SLOT),
    ...guest.files.flatMap((file, index) => memory(`file${index}`, file, ARENA_SLOT + 1 + index)),
  ];
}
