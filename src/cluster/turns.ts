// Records that pass the turn: before each, the side that has it sends what
// changed in the component's segments (segment-mirror.ts), and the agent
// applies the operators the driver handed over (remote-apply.ts).
import { Opcode } from "../wire/protocol.ts";

/** Records the driver sends that pass the turn to the component. */
export const TURN_TO_COMPONENT = new Set<number>([Opcode.ack, Opcode.go, Opcode.window, Opcode.stop]);
/** Records a component sends that pass the turn to the driver. */
export const TURN_TO_DRIVER = new Set<number>([
  Opcode.hello,
  Opcode.done,
  Opcode.checkpointed,
  Opcode.restored,
  Opcode.bye,
]);
