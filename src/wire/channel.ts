// A channel's segment (docs/wire-format.md, "Channel", layout version 1): the
// payload of a segment of kind 2 named "<component>.channel", a control line of
// 32-bit words, then the ring to the component, then the ring to the driver.
// The code that uses it is queue/channel.ts.
import { CACHE_LINE, ringBytes } from "./ring.ts";

export const CHANNEL_MAGIC = 0x4e414843; // "CHAN"
export const CHANNEL_LAYOUT_VERSION = 1;

/** The control line, then two rings of `capacity` records each. */
export function channelPayloadBytes(capacity: number): number {
  return CACHE_LINE + 2 * ringBytes(capacity);
}

/** Word offsets in the control line, the payload's first cache line. */
export const ControlWord = {
  magic: 0,
  version: 1,
  capacity: 2,
  driverPid: 3,
  componentPid: 4,
  /**
   * A second process that tried to attach (a rank number claimed twice): its pid,
   * stored once by the loser of the compare-and-swap on componentPid; the driver
   * names both.
   */
  contenderPid: 5,
} as const;
