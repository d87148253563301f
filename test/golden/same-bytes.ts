// Byte-for-byte comparison with a golden image that names the first byte that differs.
import assert from "node:assert/strict";

export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: ${actual.length} bytes, the golden file has ${expected.length}`,
  );
  const at = actual.findIndex((byte, index) => byte !== expected[index]);
  const hex = (byte: number | undefined) => `0x${(byte ?? 0).toString(16).padStart(2, "0")}`;
  assert.equal(at, -1, `${what}: byte ${at} is ${hex(actual[at])}, the golden file has ${hex(expected[at])}`);
}
