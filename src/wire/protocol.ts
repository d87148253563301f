// The control protocol between the driver and a component (docs/wire-format.md,
// "Component protocol", version 2): the opcodes carried by a channel's records,
// the payload slots of each, and the names of a component's segments. Mesh data
// never travels here: it lives in mesh and waveform segments both sides map.
// The environment is environment.ts.

/** Version 2 adds runs in physical time (window, checkpointed, restored; done's time payload). */
export const PROTOCOL_VERSION = 2;

export const Opcode = {
  /** component → driver: my meshes are published; payload[0] = how many. */
  hello: 0x10,
  /** driver → component: meshes accepted (and, in a time run, waveforms created); start the loop. */
  ack: 0x11,
  /** driver → component: compute step payload[0] (the iteration). Iteration runs only. */
  go: 0x20,
  /**
   * component → driver: in an iteration run, step payload[0] is done and its fields are written;
   * in a time run, the window attempt is done (payload in DoneSlot).
   */
  done: 0x21,
  /** driver → component: a window attempt starts (payload in WindowSlot). Time runs only. */
  window: 0x22,
  /** component → driver: the checkpoint is written; payload[0] = the component's time. */
  checkpointed: 0x23,
  /** component → driver: the checkpoint is restored; payload[0] = the component's time after restoring. */
  restored: 0x24,
  /** driver → component: the run is over; answer bye and exit. */
  stop: 0x30,
  /** component → driver: stopping. */
  bye: 0x31,
  /** driver → component: answer pong at once (measures the command queue alone). */
  ping: 0x40,
  /** component → driver: the answer to ping. */
  pong: 0x41,
} as const;

/** What a driver of an iteration run receives (protocol version 1's set, unchanged). */
export const DRIVER_ACCEPTS: readonly number[] = [Opcode.hello, Opcode.done, Opcode.bye, Opcode.pong];
/** What a driver of a time run receives. */
export const TIME_DRIVER_ACCEPTS: readonly number[] = [
  Opcode.hello,
  Opcode.done,
  Opcode.checkpointed,
  Opcode.restored,
  Opcode.bye,
  Opcode.pong,
];
/**
 * What a component receives: a component learns the kind of its run from the
 * first command after ack (go or window), so it accepts both and refuses the
 * one its loop was not written for by name.
 */
export const COMPONENT_ACCEPTS: readonly number[] = [Opcode.ack, Opcode.go, Opcode.window, Opcode.stop, Opcode.ping];

/** The payload of `window` (doubles). */
export const WindowSlot = {
  /** The window's index, 0-based. */
  window: 0,
  /** The attempt within the window: 0 the first, k the k-th repeat. */
  iteration: 1,
  /** The window's start time. */
  start: 2,
  /** The window's size; Infinity when the first component's own step sets it (`window: first-participant`). */
  size: 3,
  /** WindowFlag bits, as a double holding a whole number. */
  flags: 4,
  /** The run's end time (max_time), Infinity when the run ends after a number of windows. */
  end: 5,
} as const;

/** The bits of WindowSlot.flags. */
export const WindowFlag = {
  /** Save your state, then send checkpointed (a new window of an implicit scheme). */
  writeCheckpoint: 1,
  /** Restore the checkpoint, then send restored (a repeat of the window). */
  readCheckpoint: 2,
  /** This is the run's last window. */
  lastWindow: 4,
} as const;

/** The flag bits a driver may set; a component refuses a window with any other. */
export const WINDOW_FLAGS_MASK = WindowFlag.writeCheckpoint | WindowFlag.readCheckpoint | WindowFlag.lastWindow;

/** The payload of `checkpointed` and of `restored` (doubles). */
export const CheckpointSlot = {
  /** The component's own time when it wrote the checkpoint, or after restoring it. */
  time: 0,
} as const;

/** The payload of `done` in a time run (doubles). */
export const DoneSlot = {
  /** The window the attempt belonged to (as sent in `window`). */
  window: 0,
  /** The attempt (as sent in `window`). */
  iteration: 1,
  /** The SDK's time at the end: window start + Σ dt. */
  time: 2,
  /** Steps (advance calls) taken in the attempt: the waveforms' n − 1. */
  substeps: 3,
} as const;

/**
 * How close two times must be to count as one: |a − b| ≤ TIME_TOLERANCE × max(1, |a|, |b|).
 * A restored time against the window start, a done's time against the window end,
 * a step against the time left.
 */
export const TIME_TOLERANCE = 1e-9;

/** Whether `a` and `b` are one time under TIME_TOLERANCE (relative, absolute near zero). */
export function sameTime(a: number, b: number): boolean {
  // An infinite time (a window whose size the component's step sets) is the same only as itself.
  if (a === b) return true;
  const difference = Math.abs(a - b);
  return (
    difference !== Number.POSITIVE_INFINITY && difference <= TIME_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b))
  );
}

export function opcodeName(opcode: number): string {
  for (const [name, value] of Object.entries(Opcode)) if (value === opcode) return name;
  return `0x${opcode.toString(16).padStart(4, "0")}`;
}

/** The channel between the driver and component `name`. */
export function channelName(component: string): string {
  return `${component}.channel`;
}

/** The segment holding component `component`'s mesh `mesh`. */
export function meshSegmentName(component: string, mesh: string): string {
  return `${component}.mesh.${mesh}`;
}
