// The kernel pool: threads wait on a private futex for the next run's
// generation, do their part, and count down; the caller does part 0, then
// waits for the count to reach zero (a short spin, then the futex). On a
// machine shared with other work, sleeping in the kernel rather than spinning
// keeps an idle pool thread from taking a core from the threads that work.
#include "kernel-pool.h"

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace conflux {

namespace {

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr, nullptr, 0);
}

struct Pool {
  std::mutex callers;
  std::mutex starting;
  std::vector<std::thread> threads;
  std::atomic<int> started{0};
  // The current run: published before the generation moves.
  PartBody body = nullptr;
  void* context = nullptr;
  int parts = 0;
  std::atomic<uint32_t> generation{0};
  std::atomic<uint32_t> remaining{0};
};

Pool& ThePool() {
  // Never destroyed: pool threads may still be waiting when the process exits.
  static Pool* pool = new Pool();
  return *pool;
}

// Every pool thread counts down every run, taking part or not: a run then
// cannot begin while a thread is still reading the previous one's parameters.
void Serve(Pool* pool, int index, uint32_t seen) {
  for (;;) {
    uint32_t now = pool->generation.load(std::memory_order_acquire);
    while (now == seen) {
      FutexWait(&pool->generation, seen);
      now = pool->generation.load(std::memory_order_acquire);
    }
    seen = now;
    // Thread `index` does part index + 1; part 0 is the caller's.
    if (index + 1 < pool->parts) pool->body(index + 1, pool->parts, pool->context);
    if (pool->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) FutexWakeAll(&pool->remaining);
  }
}

void EnsureThreads(Pool& pool, int wanted) {
  if (pool.started.load(std::memory_order_acquire) >= wanted) return;
  std::lock_guard<std::mutex> guard(pool.starting);
  while (pool.started.load(std::memory_order_relaxed) < wanted) {
    int index = pool.started.load(std::memory_order_relaxed);
    // Started between runs (the caller holds the lock): the current generation is the last one seen.
    std::thread thread(Serve, &pool, index, pool.generation.load(std::memory_order_acquire));
    thread.detach();
    pool.started.store(index + 1, std::memory_order_release);
  }
}

}  // namespace

void RunParts(int parts, PartBody body, void* context) {
  if (parts <= 1) {
    body(0, 1, context);
    return;
  }
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> guard(pool.callers);
  EnsureThreads(pool, parts - 1);
  pool.body = body;
  pool.context = context;
  pool.parts = parts;
  pool.remaining.store(static_cast<uint32_t>(pool.started.load(std::memory_order_relaxed)), std::memory_order_relaxed);
  pool.generation.fetch_add(1, std::memory_order_acq_rel);
  FutexWakeAll(&pool.generation);
  body(0, parts, context);
  for (int spin = 0; spin < 2000; spin++) {
    if (pool.remaining.load(std::memory_order_acquire) == 0) return;
    __builtin_ia32_pause();
  }
  for (;;) {
    uint32_t left = pool.remaining.load(std::memory_order_acquire);
    if (left == 0) return;
    FutexWait(&pool.remaining, left);
  }
}

int KernelPoolThreads() { return ThePool().started.load(std::memory_order_acquire); }

}  // namespace conflux
