// The registry's table (docs/wire-format.md, "Registry", layout version 1):
// the payload of the segment "registry" (kind 1), which maps a segment's name
// to where it lives. The code that reads and writes it is shm/registry.ts.

export const REGISTRY_CAPACITY = 256;
export const REGISTRY_ENTRY_SIZE = 256;
export const REGISTRY_TABLE_OFFSET = 64;
export const REGISTRY_PAYLOAD_SIZE = REGISTRY_TABLE_OFFSET + REGISTRY_CAPACITY * REGISTRY_ENTRY_SIZE;

/** Byte offsets in the registry's payload. */
export const RegistryOffset = { capacity: 0, entrySize: 4, generation: 8 } as const;

/** Byte offsets inside one entry. */
export const EntryOffset = {
  state: 0,
  kind: 4,
  offset: 8,
  length: 16,
  creatorPid: 24,
  nameLength: 28,
  fileLength: 32,
  name: 64,
  file: 160,
} as const;

/** An entry's state word: claimed with compare-and-swap, published last. */
export const EntryState = { free: 0, writing: 1, live: 2 } as const;
