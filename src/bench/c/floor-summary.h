/* What the C floors share: one clock read per sample, as the TypeScript rows
 * take them, and the summary line the runner parses (c-floor-runner.ts):
 * n mean sd p50 p99 max, in nanoseconds. */
#ifndef CONFLUX_FLOOR_SUMMARY_H
#define CONFLUX_FLOOR_SUMMARY_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Prints the summary of `count` samples (sorting them in place). */
static void print_summary(double *samples, long count) {
  double sum = 0, squares = 0;
  for (long i = 0; i < count; i++) sum += samples[i];
  double mean = sum / (double)count;
  for (long i = 0; i < count; i++) squares += (samples[i] - mean) * (samples[i] - mean);
  qsort(samples, (size_t)count, sizeof(double), ascending);
  long p50 = (long)ceil(0.5 * (double)count) - 1, p99 = (long)ceil(0.99 * (double)count) - 1;
  double sd = count > 1 ? sqrt(squares / (double)(count - 1)) : 0;
  printf("%ld %.1f %.1f %.1f %.1f %.1f\n", count, mean, sd, samples[p50], samples[p99], samples[count - 1]);
}

#endif
