/* The floor for `bench coupling`'s nearest-neighbour window: the same data
 * movement with nothing else in the way. Three processes (a driver, A and B)
 * share one MAP_SHARED mapping; per window the driver tells A to go, A writes
 * f = 1 + x + 2y + 3z at its points, the driver gathers A's values into B's
 * read field through the nearest-neighbour index, tells B to go, B writes
 * twice what it read, and the driver gathers that back into A's read field.
 * Signals are sequence numbers on their own cache lines; a waiting side spins
 * for 5 µs, then yields the CPU between checks, as conflux's spin does, since
 * three spinners share two cores here. Each window is timed by the driver with
 * one clock read, as the conflux figure is, and the samples are summarised:
 * n mean sd p50 p99 max in nanoseconds.
 * Usage: coupling-floor POINTS WINDOWS [WARMUP] */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor-summary.h"

struct signals {
  _Alignas(64) _Atomic uint64_t go_a;
  _Alignas(64) _Atomic uint64_t done_a;
  _Alignas(64) _Atomic uint64_t go_b;
  _Alignas(64) _Atomic uint64_t done_b;
};

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static void wait_for(_Atomic uint64_t *word, uint64_t value) {
  if (atomic_load_explicit(word, memory_order_acquire) == value) return;
  double yield_after = now_ns() + 5000;
  while (atomic_load_explicit(word, memory_order_acquire) != value) {
    if (now_ns() > yield_after) sched_yield();
    else cpu_relax();
  }
}

/* A child spins until told to stop: it must die with the driver, however the driver ends. */
static void die_with_parent(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
}

/* Uniform points in the unit cube, structure of arrays (x[], y[], z[]). */
static void random_points(double *xyz, int count, uint64_t seed) {
  uint64_t state = seed * 2862933555777941757ULL + 3037000493ULL;
  for (int i = 0; i < 3 * count; i++) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    xyz[i] = (double)(state >> 11) / 9007199254740992.0;
  }
}

/* For each point of `to`, the index of its nearest point of `from` (brute force: setup is not timed). */
static void nearest(const double *from, const double *to, int count, int32_t *index) {
  for (int i = 0; i < count; i++) {
    double best = INFINITY;
    for (int j = 0; j < count; j++) {
      double dx = to[i] - from[j], dy = to[count + i] - from[count + j], dz = to[2 * count + i] - from[2 * count + j];
      double d = dx * dx + dy * dy + dz * dz;
      if (d < best) best = d, index[i] = j;
    }
  }
}

int main(int argc, char **argv) {
  int points = argc > 1 ? atoi(argv[1]) : 3000;
  long windows = argc > 2 ? atol(argv[2]) : 500;
  /* Windows run before the measured ones; bench coupling passes the count its other columns run too. */
  long warmup = argc > 3 ? atol(argv[3]) : windows / 10 + 20;
  size_t field = sizeof(double) * (size_t)points;
  size_t bytes = sizeof(struct signals) + 10 * field + 2 * sizeof(int32_t) * (size_t)points;
  unsigned char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) { perror("mmap"); return 1; }
  memset(base, 0, bytes);
  struct signals *signals = (struct signals *)base;
  double *a_xyz = (double *)(base + sizeof *signals), *b_xyz = a_xyz + 3 * points;
  double *a_written = b_xyz + 3 * points, *a_read = a_written + points;
  double *b_written = a_read + points, *b_read = b_written + points;
  int32_t *a_to_b = (int32_t *)(b_read + points), *b_to_a = a_to_b + points;
  random_points(a_xyz, points, 11);
  random_points(b_xyz, points, 12);
  nearest(a_xyz, b_xyz, points, a_to_b);
  nearest(b_xyz, a_xyz, points, b_to_a);
  uint64_t total = (uint64_t)(warmup + windows);
  double *samples = malloc(sizeof(double) * (size_t)windows);
  if (samples == NULL) { fprintf(stderr, "coupling-floor: out of memory\n"); return 1; }
  pid_t driver = getpid();

  pid_t a = fork();
  if (a < 0) { perror("fork"); return 1; }
  if (a == 0) {
    die_with_parent(driver);
    const double *x = a_xyz, *y = a_xyz + points, *z = a_xyz + 2 * points;
    for (uint64_t w = 1; w <= total; w++) {
      wait_for(&signals->go_a, w);
      for (int i = 0; i < points; i++) a_written[i] = 1 + x[i] + 2 * y[i] + 3 * z[i];
      atomic_store_explicit(&signals->done_a, w, memory_order_release);
    }
    _exit(0);
  }
  pid_t b = fork();
  if (b < 0) {
    perror("fork");
    kill(a, SIGKILL);
    waitpid(a, NULL, 0);
    return 1;
  }
  if (b == 0) {
    die_with_parent(driver);
    for (uint64_t w = 1; w <= total; w++) {
      wait_for(&signals->go_b, w);
      for (int i = 0; i < points; i++) b_written[i] = 2 * b_read[i];
      atomic_store_explicit(&signals->done_b, w, memory_order_release);
    }
    _exit(0);
  }

  for (uint64_t w = 1; w <= total; w++) {
    double start = now_ns();
    atomic_store_explicit(&signals->go_a, w, memory_order_release);
    wait_for(&signals->done_a, w);
    for (int i = 0; i < points; i++) b_read[i] = a_written[a_to_b[i]];
    atomic_store_explicit(&signals->go_b, w, memory_order_release);
    wait_for(&signals->done_b, w);
    for (int i = 0; i < points; i++) a_read[i] = b_written[b_to_a[i]];
    double elapsed = now_ns() - start;
    if (w > (uint64_t)warmup) samples[w - (uint64_t)warmup - 1] = elapsed;
  }
  waitpid(a, NULL, 0);
  waitpid(b, NULL, 0);
  /* The returned field is 2f at the nearest of the nearest: a check that the data really moved. */
  if (!(a_read[0] > 0)) { fprintf(stderr, "coupling-floor: nothing came back\n"); return 1; }
  print_summary(samples, windows);
  return 0;
}
