// Segments inside a VM enclave's arena. A guest cannot map a file made after
// it booted, and a file it makes lives in guest memory the host never sees, so
// a component in a guest creates its segments inside the arena: page aligned,
// each with its own header, registered as (arena file, offset, length). Pages
// are claimed with compare-and-swap on one cursor, as the C client does, and
// never given back. Layout: wire/arena.ts.
import { ARENA_LAYOUT_VERSION, ARENA_PAGE, ArenaOffset } from "../wire/arena.ts";
import { encodeName, HEADER_SIZE, type SegmentKind, writeHeader } from "../wire/segment-header.ts";
import type { Segment } from "./segment.ts";

/** Checks that `arena` (mapped whole, from its header) is an arena this code can allocate in. */
export function checkArena(arena: Segment): void {
  const words = new Int32Array(arena.buffer, 0, ARENA_PAGE / 4);
  const version = Atomics.load(words, ArenaOffset.version / 4);
  const page = Atomics.load(words, ArenaOffset.pageSize / 4);
  if (version !== ARENA_LAYOUT_VERSION || page !== ARENA_PAGE) {
    throw new Error(
      `arena ${arena.path} has layout version ${version} (page size ${page}); this conflux reads version ${ARENA_LAYOUT_VERSION}`,
    );
  }
}

/**
 * Places a new segment inside the arena (page aligned, header written) and
 * returns where; registering it is the caller's business.
 */
export function allocateInArena(
  arena: Segment,
  name: string,
  payloadSize: number,
  kind: SegmentKind,
  runId: string,
): { offset: number; length: number } {
  // Checked before any page is claimed: a NaN would turn the cursor back to page 0, over the arena's own header.
  if (!Number.isSafeInteger(payloadSize) || payloadSize < 0) {
    throw new RangeError(`segment "${name}": payload size must be a whole number of bytes ≥ 0, got ${payloadSize}`);
  }
  encodeName(name);
  const words = new Int32Array(arena.buffer, 0, ARENA_PAGE / 4);
  const length = HEADER_SIZE + payloadSize;
  const pages = Math.ceil(length / ARENA_PAGE);
  const cursor = ArenaOffset.nextFreePage / 4;
  const total = Math.min(
    Atomics.load(words, ArenaOffset.pageCount / 4),
    Math.floor(arena.buffer.byteLength / ARENA_PAGE),
  );
  for (;;) {
    const first = Atomics.load(words, cursor);
    if (first + pages > total) {
      throw new RangeError(
        `arena ${arena.path} has ${Math.max(0, total - first)} free pages, segment "${name}" needs ${pages}; give the VM a larger arena (vm.arena_mib)`,
      );
    }
    if (Atomics.compareExchange(words, cursor, first, first + pages) === first) {
      const offset = first * ARENA_PAGE;
      writeHeader(arena.buffer, offset, {
        payloadSize,
        creatorPid: process.pid,
        kind,
        runId,
        createdUnixMs: Date.now(),
        name,
      });
      return { offset, length };
    }
  }
}
