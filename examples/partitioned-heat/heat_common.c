/* heat_common.c: the manufactured solution, the grid, the error norm and the
 * banded solver both sides of the partitioned heat case use (see heat.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat.h"

static char last_error[256] = "no error";

const char *heat_last_error(void) { return last_error; }

int heat_fail(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(last_error, sizeof last_error, format, arguments);
  va_end(arguments);
  return -1;
}

double heat_exact(double x, double y, double t) { return 1.0 + x * x + HEAT_ALPHA * y * y + HEAT_BETA * t; }

double heat_source(void) { return HEAT_BETA - 2.0 - 2.0 * HEAT_ALPHA; }

double heat_exact_flux(double x, double y, double t) {
  (void)y;
  (void)t;
  return 2.0 * x;
}

double heat_grid_x(const heat_grid *grid, int i) { return grid->x0 + i * grid->hx; }

double heat_grid_y(const heat_grid *grid, int j) { return j * grid->hy; }

double heat_relative_error(const heat_grid *grid, const double *values, double t) {
  double error = 0.0, norm = 0.0;
  for (int j = 0; j < grid->ny; j++) {
    for (int i = 0; i < grid->nx; i++) {
      double exact = heat_exact(heat_grid_x(grid, i), heat_grid_y(grid, j), t);
      double difference = values[j * grid->nx + i] - exact;
      error += difference * difference;
      norm += exact * exact;
    }
  }
  return sqrt(error / norm);
}

int heat_band_create(heat_band *band, int n, int b) {
  band->n = n;
  band->b = b;
  band->a = calloc((size_t)n * (size_t)(2 * b + 1), sizeof *band->a);
  if (band->a == NULL) return heat_fail("out of memory for a matrix of order %d and half-bandwidth %d", n, b);
  return 0;
}

void heat_band_free(heat_band *band) {
  free(band->a);
  band->a = NULL;
}

void heat_band_zero(heat_band *band) {
  memset(band->a, 0, sizeof *band->a * (size_t)band->n * (size_t)(2 * band->b + 1));
}

static double *entry(const heat_band *band, int row, int column) {
  return band->a + (long)row * (2 * band->b + 1) + (column - row + band->b);
}

void heat_band_set(heat_band *band, int row, int column, double value) { *entry(band, row, column) = value; }

int heat_band_factor(heat_band *band) {
  int n = band->n, b = band->b;
  for (int k = 0; k < n; k++) {
    double pivot = *entry(band, k, k);
    if (pivot == 0.0 || !isfinite(pivot)) return heat_fail("the matrix has a zero pivot in row %d", k);
    int last = k + b < n - 1 ? k + b : n - 1;
    for (int r = k + 1; r <= last; r++) {
      double *lower = entry(band, r, k);
      if (*lower == 0.0) continue;
      double factor = *lower / pivot;
      *lower = factor;
      for (int c = k + 1; c <= last; c++) *entry(band, r, c) -= factor * *entry(band, k, c);
    }
  }
  return 0;
}

void heat_band_solve(const heat_band *band, double *x) {
  int n = band->n, b = band->b;
  for (int r = 0; r < n; r++) {
    int first = r - b > 0 ? r - b : 0;
    for (int c = first; c < r; c++) x[r] -= *entry(band, r, c) * x[c];
  }
  for (int r = n - 1; r >= 0; r--) {
    int last = r + b < n - 1 ? r + b : n - 1;
    for (int c = r + 1; c <= last; c++) x[r] -= *entry(band, r, c) * x[c];
    x[r] /= *entry(band, r, r);
  }
}
