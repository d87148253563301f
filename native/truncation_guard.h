// The table of mappings the SIGBUS handler of truncation.cc guards (see there).
// mapping.cc puts every segment mapping in it and takes it out before munmap.
#pragma once

#include <stddef.h>

namespace conflux {

/** How many mappings one process can guard at once. */
constexpr int kGuardSlots = 1024;

/** Installs the handler (once) and guards [start, start + length); returns its slot, or -1 when the table is full. */
int GuardMapping(void* start, size_t length);

/** Takes a slot out of the table (and its truncation mark with it); returns once no handler is using it. */
void UnguardMapping(int slot);

/** Whether the mapping in `slot` was truncated (a SIGBUS was caught in it, or the file was measured short). */
bool SlotTruncated(int slot);

}  // namespace conflux
