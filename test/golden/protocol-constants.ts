// The constants of the component protocol (version 2) and of the waveform
// layout, as one text every client prints from its own definitions
// (test/clients/golden.test.ts, "constants"): what wire/protocol.ts and
// wire/waveform.ts say, so that a client with a wrong opcode, slot, flag or
// offset is caught even where no record carries it.
import { DoneSlot, Opcode, PROTOCOL_VERSION, TIME_TOLERANCE, WindowFlag, WindowSlot } from "../../src/wire/protocol.ts";
import { SegmentKind } from "../../src/wire/segment-header.ts";
import {
  MAX_WAVEFORM_CAPACITY,
  MAX_WAVEFORM_DEGREE,
  MIN_WAVEFORM_CAPACITY,
  WAVEFORM_LAYOUT_VERSION,
  WAVEFORM_MAGIC,
  WaveformOffset,
  WaveformRole,
} from "../../src/wire/waveform.ts";

const hex = (value: number) => `0x${value.toString(16).padStart(2, "0")}`;

export function protocolConstantsText(): string {
  const o = Opcode;
  return [
    `protocol ${PROTOCOL_VERSION}`,
    `opcode hello=${hex(o.hello)} ack=${hex(o.ack)} go=${hex(o.go)} done=${hex(o.done)} window=${hex(o.window)} checkpointed=${hex(o.checkpointed)} restored=${hex(o.restored)} stop=${hex(o.stop)} bye=${hex(o.bye)} ping=${hex(o.ping)} pong=${hex(o.pong)}`,
    `window-slot window=${WindowSlot.window} iteration=${WindowSlot.iteration} start=${WindowSlot.start} size=${WindowSlot.size} flags=${WindowSlot.flags} end=${WindowSlot.end}`,
    `window-flag write-checkpoint=${WindowFlag.writeCheckpoint} read-checkpoint=${WindowFlag.readCheckpoint} last-window=${WindowFlag.lastWindow}`,
    `done-slot window=${DoneSlot.window} iteration=${DoneSlot.iteration} time=${DoneSlot.time} substeps=${DoneSlot.substeps}`,
    `time-tolerance-bits ${Buffer.from(new Float64Array([TIME_TOLERANCE]).buffer)
      .reverse()
      .toString("hex")}`,
    `waveform kind=${SegmentKind.waveform} magic=0x${WAVEFORM_MAGIC.toString(16)} version=${WAVEFORM_LAYOUT_VERSION} by-component=${WaveformRole.writtenByComponent} by-driver=${WaveformRole.writtenByDriver} max-degree=${MAX_WAVEFORM_DEGREE} capacity=${MIN_WAVEFORM_CAPACITY}..${MAX_WAVEFORM_CAPACITY}`,
    `waveform-offset role=${WaveformOffset.role} count=${WaveformOffset.count} capacity=${WaveformOffset.capacity} degree=${WaveformOffset.degree} sample-count=${WaveformOffset.sampleCount} window-start=${WaveformOffset.windowStart} times=${WaveformOffset.times}`,
    "",
  ].join("\n");
}
