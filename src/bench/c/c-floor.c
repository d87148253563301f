/* bench/c/ owns the C floors: a benchmark's work with no queue and no JavaScript, the lower bound beside it.
 * They must not use conflux or its clients: they measure what this machine does without them. */

/* The floor for the queue benchmark: two processes hand a cache line back and
 * forth through a MAP_SHARED mapping, with nothing else in the way. Each round
 * trip is timed with one clock read, as the TypeScript rows are, and the
 * samples are summarised here: n mean sd p50 p99 max in nanoseconds.
 * Usage: c-floor ITERATIONS */
#define _GNU_SOURCE
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor-summary.h"

struct lines {
  _Alignas(64) _Atomic uint64_t ping;
  _Alignas(64) _Atomic uint64_t pong;
};

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 100000;
  long warmup = iterations / 10 + 100;
  struct lines *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) { perror("mmap"); return 1; }
  memset(shared, 0, sizeof *shared);
  pid_t child = fork();
  if (child < 0) { perror("fork"); return 1; }
  if (child == 0) {
    for (uint64_t expect = 1; expect <= (uint64_t)(warmup + iterations); expect++) {
      while (atomic_load_explicit(&shared->ping, memory_order_acquire) != expect) {}
      atomic_store_explicit(&shared->pong, expect, memory_order_release);
    }
    _exit(0);
  }
  double *samples = malloc(sizeof(double) * (size_t)iterations);
  double previous = now_ns();
  for (long i = 1; i <= warmup + iterations; i++) {
    atomic_store_explicit(&shared->ping, (uint64_t)i, memory_order_release);
    while (atomic_load_explicit(&shared->pong, memory_order_acquire) != (uint64_t)i) {}
    double t = now_ns();
    if (i > warmup) samples[i - warmup - 1] = t - previous;
    previous = t;
  }
  waitpid(child, NULL, 0);
  print_summary(samples, iterations);
  return 0;
}
