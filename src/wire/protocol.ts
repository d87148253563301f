// The control protocol between the driver and a component (docs/wire-format.md,
// "Component protocol", version 1): the opcodes carried by a channel's records
// and the names of a component's segments. Mesh data never travels here: it
// lives in mesh segments both sides map. The environment is environment.ts.

export const Opcode = {
  /** component → driver: my meshes are published; payload[0] = how many. */
  hello: 0x10,
  /** driver → component: meshes accepted, start the step loop. */
  ack: 0x11,
  /** driver → component: compute step payload[0] (the iteration). */
  go: 0x20,
  /** component → driver: step payload[0] is done; its fields are written. */
  done: 0x21,
  /** driver → component: the run is over; answer bye and exit. */
  stop: 0x30,
  /** component → driver: stopping. */
  bye: 0x31,
  /** driver → component: answer pong at once (measures the command queue alone). */
  ping: 0x40,
  /** component → driver: the answer to ping. */
  pong: 0x41,
} as const;

export const DRIVER_ACCEPTS: readonly number[] = [Opcode.hello, Opcode.done, Opcode.bye, Opcode.pong];
export const COMPONENT_ACCEPTS: readonly number[] = [Opcode.ack, Opcode.go, Opcode.stop, Opcode.ping];

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
