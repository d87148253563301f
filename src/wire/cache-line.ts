// Payload regions (coordinates, fields, sample values) start on a 64-byte
// cache line, so a reader on another core never shares a line between two
// regions and vectorised loads stay aligned.

export const CACHE_LINE_BYTES = 64;

/** `bytes` rounded up to a whole number of cache lines. */
export function cacheLineAligned(bytes: number): number {
  return Math.ceil(bytes / CACHE_LINE_BYTES) * CACHE_LINE_BYTES;
}
