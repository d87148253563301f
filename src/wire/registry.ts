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

/**
 * An entry's state word (docs/wire-format.md, "Registry"): claimed with compare-and-swap 0→1 and written while
 * 1; announced (3) to contenders for the same name; live (2) once no contender is ahead of it. Released by
 * compare-and-swap to 1, its fields zeroed, then 0.
 */
export const EntryState = { free: 0, writing: 1, live: 2, announced: 3 } as const;

/**
 * How long a registrant waits for a contender for the same name at a higher index that has announced but
 * neither published nor withdrawn. An announcement lasts one scan of the table; one that outlives this is a
 * registrant that died in between.
 */
export const ANNOUNCED_WAIT_MS = 2000;
