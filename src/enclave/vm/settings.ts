// What a VM enclave needs beyond the launch itself: the guest's size, the
// accelerator, and optionally a prebuilt image. The composition's `enclave.vm`
// becomes this.
import type { ComponentLaunch } from "../launch.ts";

export const VM_ACCELERATORS = ["auto", "kvm", "tcg"] as const;
export type VmAccelerator = (typeof VM_ACCELERATORS)[number];

export interface VmSettings {
  /** An image built by `conflux vm build` (its directory or sha256); default: built from the launch. */
  image?: string;
  /** Guest memory (default 256 MiB), raised to what the image needs: it is unpacked into guest memory. */
  memoryMiB?: number;
  /** Virtual CPUs (default 1, or enough to hold the CPU numbers `cpus` pins to). */
  cpus?: number;
  /** auto (default): KVM when it runs guests, TCG otherwise. */
  accel?: VmAccelerator;
  /** Size of the arena the guest creates its segments in, a power of two (default 64 MiB, sparse). */
  arenaMiB?: number;
  /** Host files the component reads that the image would not otherwise hold. */
  files?: string[];
  /** How long the guest may take to start the component (default 120 s: TCG is slow). */
  bootTimeoutMs?: number;
  /** A running guest whose agent stops beating this long is reported hung and ended (default 20 s). */
  hangMs?: number;
}

/** A launch that may carry VM settings; every other backend ignores them. */
export type VmLaunch = ComponentLaunch & { vm?: VmSettings };

export const VM_DEFAULTS = {
  memoryMiB: 1024,
  accel: "auto",
  arenaMiB: 64,
  bootTimeoutMs: 120_000,
  hangMs: 20_000,
} as const;

/** The settings with defaults filled in, checked; throws naming the component and the field. */
export function vmSettings(
  launch: VmLaunch,
): Required<Omit<VmSettings, "image" | "cpus">> & Pick<VmSettings, "image" | "cpus"> {
  const given = launch.vm ?? {};
  const where = `component ${launch.name}: vm`;
  const accel = given.accel ?? VM_DEFAULTS.accel;
  if (!(VM_ACCELERATORS as readonly string[]).includes(accel)) {
    throw new Error(`${where}.accel ${JSON.stringify(accel)} is not one of ${VM_ACCELERATORS.join(", ")}`);
  }
  const memoryMiB = given.memoryMiB ?? VM_DEFAULTS.memoryMiB;
  if (!Number.isSafeInteger(memoryMiB) || memoryMiB < 64)
    throw new Error(`${where}.memory_mib must be a whole number ≥ 64, got ${memoryMiB}`);
  if (given.cpus !== undefined && (!Number.isSafeInteger(given.cpus) || given.cpus < 1 || given.cpus > 64)) {
    throw new Error(`${where}.cpus must be a whole number from 1 to 64, got ${given.cpus}`);
  }
  const arenaMiB = given.arenaMiB ?? VM_DEFAULTS.arenaMiB;
  if (!Number.isSafeInteger(arenaMiB) || arenaMiB < 1 || (arenaMiB & (arenaMiB - 1)) !== 0) {
    throw new Error(`${where}.arena_mib must be a power of two (1, 2, 4, …), got ${arenaMiB}`);
  }
  return {
    accel,
    memoryMiB,
    arenaMiB,
    files: given.files ?? [],
    bootTimeoutMs: given.bootTimeoutMs ?? VM_DEFAULTS.bootTimeoutMs,
    hangMs: given.hangMs ?? VM_DEFAULTS.hangMs,
    ...(given.image === undefined ? {} : { image: given.image }),
    ...(given.cpus === undefined ? {} : { cpus: given.cpus }),
  };
}
