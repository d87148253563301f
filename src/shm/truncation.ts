// A segment shrunk by another process while this one has it mapped
// (docs/wire-format.md, "Truncation"). The addon's SIGBUS handler maps zero
// pages over such a mapping and marks it in flag words this module reads with
// one load, no system call: `anyTruncated()` is what a loop checks. The
// segments this process has mapped are kept here so that a mark can be turned
// into a name; a shrink inside a mapping's last page raises no SIGBUS, so
// `measure()` also asks the file's size (one fstat), for the moments when a
// system call is affordable.
import { native } from "../native/index.ts";

const flags = new Int32Array(native.truncationFlags());

/** Whether any mapping of this process was truncated while mapped: one load. */
export function anyTruncated(): boolean {
  return Atomics.load(flags, 0) !== 0;
}

/** Whether the SIGBUS handler caught a fault in the mapping of `guard` (a slot from native.mappingGuard). */
export function guardTruncated(guard: number): boolean {
  return guard >= 0 && Atomics.load(flags, 1 + guard) !== 0;
}

/** What a truncation looks like from the segment's side: its name, its file, how much of it is left. */
export interface Truncation {
  name: string;
  path: string;
  /** Bytes of the segment (header and payload) the file still holds. */
  heldBytes: number;
  bytes: number;
}

/** Anything that can say whether it was truncated: a Segment. */
export interface TruncationWitness {
  readonly path: string;
  /** Its mapping's slot in the flags. */
  readonly guard: number;
  truncation(measure: boolean): Truncation | undefined;
}

const mapped = new Set<TruncationWitness>();

export function watchMapping(witness: TruncationWitness): void {
  mapped.add(witness);
}

export function unwatchMapping(witness: TruncationWitness): void {
  mapped.delete(witness);
}

/**
 * The first segment of this process found truncated: by the handler's marks, and with `measure` by fstat too
 * (one per segment). With `directory`, only segments whose file is in it (a run's).
 */
export function firstTruncation(measure = false, directory?: string): Truncation | undefined {
  if (!measure && !anyTruncated()) return undefined;
  const prefix = directory === undefined ? "" : `${directory}/`;
  for (const witness of mapped) {
    if (!witness.path.startsWith(prefix)) continue;
    const truncation = witness.truncation(measure);
    if (truncation !== undefined) return truncation;
  }
  return undefined;
}

/** The truncation of the segment mapped at `guard` (several segments may share an arena's mapping: the first). */
export function truncationOfGuard(guard: number): Truncation | undefined {
  if (!guardTruncated(guard)) return undefined;
  for (const witness of mapped) {
    if (witness.guard !== guard) continue;
    const truncation = witness.truncation(false);
    if (truncation !== undefined) return truncation;
  }
  return undefined;
}

const numbers = new Intl.NumberFormat("en-US");

/** "segment "appA.channel" (…/seg-…) was truncated while this process had it mapped: its file holds 0 of its 1,216 bytes" */
export function describeTruncation(truncation: Truncation): string {
  return `segment "${truncation.name}" (${truncation.path}) was truncated while this process had it mapped: its file holds ${numbers.format(truncation.heldBytes)} of its ${numbers.format(truncation.bytes)} bytes. Another process shrank it; its pages now read as zeros.`;
}

/** A truncated segment this process was using; the message names it and what is left of it. */
export class SegmentTruncatedError extends Error {
  override name = "SegmentTruncatedError";
  constructor(readonly truncation: Truncation) {
    super(describeTruncation(truncation));
  }
}

export function formatBytes(bytes: number): string {
  return numbers.format(bytes);
}
