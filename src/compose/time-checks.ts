// Checks of a composition's coupling that relate its keys to each other and to
// the transfers: an iteration run (iterations) or a run in physical time
// (window with max_time or windows), never both; the keys that belong to time
// runs, to implicit schemes, to serial schemes; convergence measures and
// accelerated fields that are transfers' fields; acceleration options that fit
// the method. They run on a file whose structure is already valid, beside
// semantic-checks.ts.
import type { DataPath, Finding } from "./positions.ts";
import {
  type AccelerationSpec,
  type CompositionDocument,
  type CouplingScheme,
  implicitSchemes,
  serialSchemes,
} from "./schema.ts";

/** Segment names hold at most 96 bytes of UTF-8 (docs/wire-format.md; compose/ imports nothing of the wire layer). */
const MAX_NAME_BYTES = 96;

/** Keys of coupling that only a run in physical time has. */
const TIME_KEYS = ["max_time", "windows", "max_substeps"] as const;
/** Keys of coupling that only an implicit scheme has. */
const IMPLICIT_KEYS = ["min_iterations", "max_iterations", "on_max_iterations", "convergence", "acceleration"] as const;

/** Which methods each optional acceleration option means something to. */
const ACCELERATION_OPTIONS: Partial<Record<keyof AccelerationSpec, readonly AccelerationSpec["method"][]>> = {
  relaxation: ["constant"],
  initial_relaxation: ["aitken", "iqn-ils", "iqn-imvj"],
  max_columns: ["iqn-ils", "iqn-imvj"],
  windows_reused: ["iqn-ils", "iqn-imvj"],
  filter: ["iqn-ils", "iqn-imvj"],
  preconditioner: ["aitken", "iqn-ils", "iqn-imvj"],
  restart: ["iqn-imvj"],
};

function isImplicit(scheme: CouplingScheme): boolean {
  return implicitSchemes.includes(scheme);
}

/** Where a field is an end of a transfer: indices of the transfers it is the from of, and the one it is the to of. */
interface TransferEnds {
  from: number[];
  to: number | undefined;
}

function transferEnds(composition: CompositionDocument, field: string): TransferEnds {
  const from: number[] = [];
  let to: number | undefined;
  composition.transfers.forEach((transfer, index) => {
    if (transfer.from === field) from.push(index);
    if (transfer.to === field && to === undefined) to = index;
  });
  return { from, to };
}

/**
 * The transfer whose data a measured or accelerated field names (its to, or
 * the from of exactly one transfer), or a finding saying why there is none.
 */
function transferOf(
  composition: CompositionDocument,
  field: string,
  path: DataPath,
  what: string,
  findings: Finding[],
): number | undefined {
  const ends = transferEnds(composition, field);
  if (ends.to !== undefined) return ends.to;
  if (ends.from.length === 1) return ends.from[0];
  const fields = composition.transfers.flatMap((transfer) => [transfer.from, transfer.to]);
  if (ends.from.length > 1) {
    findings.push({
      path,
      at: "value",
      message: `${what} ${field} is the from of ${ends.from.length} transfers (${ends.from.map((index) => `transfers[${index}]`).join(", ")}), so it names no one transfer's data`,
      hint: `Name the to of the transfer meant: ${ends.from.map((index) => composition.transfers[index]?.to).join(" or ")}.`,
    });
    return undefined;
  }
  findings.push({
    path,
    at: "value",
    message: `${what} ${field} is not a field of any transfer`,
    hint:
      fields.length === 0
        ? "There are no transfers: add the transfer that carries it."
        : `Name the from or the to of a transfer: ${[...new Set(fields)].join(", ")}.`,
  });
  return undefined;
}

function checkRunKind(composition: CompositionDocument, findings: Finding[]): boolean {
  const coupling = composition.coupling;
  const timed = coupling.window !== undefined;
  if (timed && coupling.iterations !== undefined) {
    findings.push({
      path: ["coupling", "iterations"],
      at: "key",
      message: "window and iterations together: a run is either in iterations or in physical time",
      hint: "Remove iterations for a run in time (with max_time or windows), or remove window for an iteration run.",
    });
  }
  if (!timed && coupling.iterations === undefined) {
    findings.push({
      path: ["coupling", "window"],
      at: "missing",
      message: "the coupling has neither iterations nor window",
      hint: "Give iterations: N (an iteration run), or window: SIZE with max_time: T or windows: N (a run in physical time).",
    });
    // Which kind of run was meant is unknown, so its other keys cannot be judged yet.
    return false;
  }
  if (!timed) {
    for (const key of [...TIME_KEYS, ...IMPLICIT_KEYS]) {
      if (coupling[key] === undefined) continue;
      findings.push({
        path: ["coupling", key],
        at: "key",
        message: `${key} applies only to runs in physical time; this coupling runs iterations`,
        hint: "Give window (and max_time or windows) instead of iterations, or remove it.",
      });
    }
    if (coupling.scheme !== "serial-explicit") {
      findings.push({
        path: ["coupling", "scheme"],
        at: "value",
        message: `scheme ${coupling.scheme} couples in physical time; an iteration run is serial-explicit`,
        hint: "Give window (and max_time or windows) instead of iterations.",
      });
    }
    composition.transfers.forEach((transfer, index) => {
      if (transfer.waveform_degree === undefined) return;
      findings.push({
        path: ["transfers", index, "waveform_degree"],
        at: "key",
        message: "waveform_degree applies only to runs in physical time; this coupling runs iterations",
        hint: "Remove it, or couple in time (coupling.window).",
      });
    });
    return false;
  }
  const ends = [coupling.max_time, coupling.windows].filter((value) => value !== undefined).length;
  if (ends !== 1) {
    findings.push({
      path: ends === 0 ? ["coupling", "max_time"] : ["coupling", "windows"],
      at: ends === 0 ? "missing" : "key",
      message:
        ends === 0
          ? "a run in physical time needs its end: max_time or windows"
          : "max_time and windows together: give exactly one of them",
      hint: ends === 0 ? "Add max_time: T (the end time) or windows: N (a number of windows)." : "Remove one of them.",
    });
  }
  if (coupling.window === "first-participant" && !serialSchemes.includes(coupling.scheme)) {
    findings.push({
      path: ["coupling", "window"],
      at: "value",
      message: `window: first-participant needs a serial scheme (the first component's step sets the window); this one is ${coupling.scheme}`,
      hint: "Give a window size, or use serial-explicit or serial-implicit.",
    });
  }
  return true;
}

function checkImplicit(composition: CompositionDocument, findings: Finding[]): void {
  const coupling = composition.coupling;
  if (!isImplicit(coupling.scheme)) {
    for (const key of IMPLICIT_KEYS) {
      if (coupling[key] === undefined) continue;
      findings.push({
        path: ["coupling", key],
        at: "key",
        message: `${key} applies only to implicit schemes; ${coupling.scheme} takes each window once`,
        hint: "Use serial-implicit, parallel-implicit or multi, or remove it.",
      });
    }
    return;
  }
  if (coupling.convergence === undefined) {
    findings.push({
      path: ["coupling", "scheme"],
      at: "value",
      message: `the implicit scheme ${coupling.scheme} has no convergence measure, so no window could ever converge`,
      hint: "Add convergence: [{ field: component.mesh.field, measure: relative, limit: 1e-6 }].",
    });
  }
  const min = coupling.min_iterations ?? 1;
  const max = coupling.max_iterations ?? 100;
  if (min > max) {
    findings.push({
      path: ["coupling", coupling.min_iterations === undefined ? "max_iterations" : "min_iterations"],
      at: "value",
      message: `min_iterations ${min} is more than max_iterations ${max}`,
      hint: "Make min_iterations at most max_iterations.",
    });
  }
  if (coupling.scheme === "multi" && Object.keys(composition.components).length < 3) {
    findings.push({
      path: ["coupling", "scheme"],
      at: "value",
      message: `multi couples three or more components; there are ${Object.keys(composition.components).length}`,
      hint: "Use parallel-implicit (or serial-implicit) for two.",
    });
  }
  coupling.convergence?.forEach((measure, index) => {
    transferOf(composition, measure.field, ["coupling", "convergence", index, "field"], "the measured field", findings);
  });
  const acceleration = coupling.acceleration;
  if (acceleration !== undefined) checkAcceleration(composition, acceleration, findings);
}

function checkAcceleration(
  composition: CompositionDocument,
  acceleration: AccelerationSpec,
  findings: Finding[],
): void {
  const path = ["coupling", "acceleration"];
  for (const [option, methods] of Object.entries(ACCELERATION_OPTIONS) as [
    keyof AccelerationSpec,
    AccelerationSpec["method"][],
  ][]) {
    if (acceleration[option] === undefined || methods.includes(acceleration.method)) continue;
    findings.push({
      path: [...path, option],
      at: "key",
      message: `${option} applies only to ${methods.length === 1 ? "method" : "methods"} ${methods.join(", ")}; this acceleration's method is ${acceleration.method}`,
      hint: `Remove ${option}, or set method to ${methods.join(" or ")}.`,
    });
  }
  if (acceleration.method === "constant" && acceleration.relaxation === undefined) {
    findings.push({
      path: [...path, "relaxation"],
      at: "missing",
      message: "constant relaxation needs its factor: relaxation",
      hint: "Add relaxation: 0.5 (a factor in (0, 1]).",
    });
  }
  if (acceleration.scaling !== undefined && acceleration.preconditioner !== "constant") {
    findings.push({
      path: [...path, "scaling"],
      at: "key",
      message: "scaling applies only to preconditioner constant",
      hint: "Set preconditioner: constant, or remove scaling.",
    });
  }
  if (acceleration.preconditioner === "constant" && acceleration.scaling?.length !== acceleration.fields.length) {
    findings.push({
      path: [...path, "scaling"],
      at: acceleration.scaling === undefined ? "missing" : "value",
      message: `preconditioner constant needs one scaling factor per accelerated field (${acceleration.fields.length}); it has ${acceleration.scaling?.length ?? 0}`,
      hint: "Give scaling: [a factor per field, in the order of fields].",
    });
  }
  const first = composition.coupling.order[0];
  const serial = serialSchemes.includes(composition.coupling.scheme);
  const seen = new Set<number>();
  acceleration.fields.forEach((field, index) => {
    const fieldPath = [...path, "fields", index];
    const transfer = transferOf(composition, field, fieldPath, "the accelerated field", findings);
    if (transfer === undefined) return;
    if (seen.has(transfer)) {
      findings.push({ path: fieldPath, at: "value", message: `transfers[${transfer}]'s data is accelerated twice` });
      return;
    }
    seen.add(transfer);
    const target = composition.transfers[transfer]?.to ?? "";
    if (serial && first !== undefined && target.split(".")[0] !== first) {
      findings.push({
        path: fieldPath,
        at: "value",
        message: `a serial scheme accelerates what its first component (${first}) reads; ${target} is read by ${target.split(".")[0]}, whose input is mapped afresh before it runs`,
        hint: `Accelerate the target of a transfer into ${first}.`,
      });
    }
  });
}

/** A field both from and to has one waveform that two writers would share. */
function checkWaveforms(composition: CompositionDocument, findings: Finding[]): void {
  const sources = new Set(composition.transfers.map((transfer) => transfer.from));
  composition.transfers.forEach((transfer, index) => {
    if (sources.has(transfer.to)) {
      findings.push({
        path: ["transfers", index, "to"],
        at: "value",
        message: `${transfer.to} is both the from of a transfer and the to of this one; in a run in time a field is written by its component or by the driver, not both`,
        hint: "Carry the data into another field of the mesh.",
      });
    }
    for (const [end, field] of [
      ["from", transfer.from],
      ["to", transfer.to],
    ] as const) {
      const name = `${field}.waveform`;
      const bytes = Buffer.byteLength(name, "utf8");
      if (bytes <= MAX_NAME_BYTES) continue;
      findings.push({
        path: ["transfers", index, end],
        at: "value",
        message: `the waveform segment of ${field} would be named "${name}", ${bytes} bytes; segment names hold at most ${MAX_NAME_BYTES}`,
        hint: `Shorten the component, mesh or field name by ${bytes - MAX_NAME_BYTES} bytes.`,
      });
    }
  });
}

/** Every problem of the coupling's keys of a structurally valid composition. */
export function timeCouplingFindings(composition: CompositionDocument): Finding[] {
  const findings: Finding[] = [];
  if (checkRunKind(composition, findings)) {
    checkImplicit(composition, findings);
    checkWaveforms(composition, findings);
  }
  return findings;
}
