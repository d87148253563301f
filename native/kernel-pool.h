// A pool of threads for the numeric kernels, started once and reused: a kernel
// splits its work into parts, runs part 0 on the calling thread and the others
// on the pool, and returns when every part is done. A run allocates nothing.
#pragma once

namespace conflux {

using PartBody = void (*)(int part, int parts, void* context);

// Runs body(part, parts, context) for every part in [0, parts). Starts pool
// threads the first time more are needed; callers from different JavaScript
// threads take turns.
void RunParts(int parts, PartBody body, void* context);

// How many pool threads have been started (besides the callers').
int KernelPoolThreads();

}  // namespace conflux
