// The component protocol's constants (wire/protocol.ts): version 2's opcodes
// and payload slots, and the time tolerance every side applies.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  COMPONENT_ACCEPTS,
  DoneSlot,
  DRIVER_ACCEPTS,
  Opcode,
  opcodeName,
  PROTOCOL_VERSION,
  sameTime,
  TIME_DRIVER_ACCEPTS,
  WINDOW_FLAGS_MASK,
  WindowFlag,
  WindowSlot,
} from "../../src/wire/protocol.ts";

test("protocol version 2 adds window, checkpointed and restored; the opcodes are distinct", () => {
  assert.equal(PROTOCOL_VERSION, 2);
  assert.deepEqual([Opcode.window, Opcode.checkpointed, Opcode.restored], [0x22, 0x23, 0x24]);
  const values = Object.values(Opcode);
  assert.equal(new Set(values).size, values.length);
  assert.equal(opcodeName(0x22), "window");
  assert.equal(opcodeName(0x99), "0x0099");
});

test("an iteration run's driver accepts what it did in version 1; a time run's also the checkpoint answers", () => {
  assert.deepEqual(DRIVER_ACCEPTS, [Opcode.hello, Opcode.done, Opcode.bye, Opcode.pong]);
  assert.deepEqual([...TIME_DRIVER_ACCEPTS].sort(), [...DRIVER_ACCEPTS, Opcode.checkpointed, Opcode.restored].sort());
  assert.ok(COMPONENT_ACCEPTS.includes(Opcode.window) && COMPONENT_ACCEPTS.includes(Opcode.go));
});

test("payload slots fit a record's six doubles and the flags are bits", () => {
  for (const slots of [WindowSlot, DoneSlot]) {
    const indices = Object.values(slots);
    assert.equal(new Set(indices).size, indices.length);
    assert.ok(indices.every((index) => index >= 0 && index < 6));
  }
  assert.deepEqual(Object.values(WindowFlag), [1, 2, 4]);
  assert.equal(WINDOW_FLAGS_MASK, 7);
});

test("two times are one within 1e-9 × max(1, |t|)", () => {
  assert.ok(sameTime(0.1 + 0.2, 0.3));
  assert.ok(sameTime(0, 5e-10));
  assert.ok(!sameTime(0, 2e-9));
  assert.ok(sameTime(1e6, 1e6 + 5e-4));
  assert.ok(!sameTime(1e6, 1e6 + 2e-3));
  assert.ok(sameTime(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY));
  assert.ok(!sameTime(Number.NaN, Number.NaN));
});
