/* Checks the partitioned heat numerics (examples/partitioned-heat/heat_*.c)
 * without any coupling library.
 *
 *   heat_check exact NX NY STEPS DT
 *     each side alone for STEPS steps, given the exact interface data from u:
 *     prints one JSON object with the largest relative L2 error of either side
 *     over all steps and the largest deviation of the interface data each side
 *     returns from the exact flux and temperature, and the Dirichlet side's
 *     final nodal values.
 *   heat_check coupled NX NY WINDOWS SUBSTEPS DT OMEGA LIMIT
 *     a serial-implicit waveform iteration written out here: per window, the
 *     Dirichlet side takes SUBSTEPS steps reading the temperature of each
 *     substep, the Neumann side takes them reading the flux the Dirichlet side
 *     wrote, and the temperature is under-relaxed by OMEGA until both
 *     waveforms change by at most LIMIT relative; prints one JSON line per
 *     window (iterations, relative L2 error of both sides at the window's end). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat.h"

static int fail(const char *what) {
  fprintf(stderr, "heat_check: %s: %s\n", what, heat_last_error());
  return 1;
}

static int exact(int nx, int ny, int steps, double dt) {
  heat_dirichlet *left;
  heat_neumann *right;
  if (heat_dirichlet_create(nx, ny, &left) != 0) return fail("Dirichlet side");
  if (heat_neumann_create(nx, ny, &right) != 0) return fail("Neumann side");
  heat_dirichlet_initialize(left, 0.0);
  heat_neumann_initialize(right, 0.0);
  double *temperature = calloc((size_t)ny, sizeof *temperature), *flux = calloc((size_t)ny, sizeof *flux);
  double *returned_flux = calloc((size_t)ny, sizeof *flux), *returned_temperature = calloc((size_t)ny, sizeof *flux);
  double worst_left = 0, worst_right = 0, worst_flux = 0, worst_temperature = 0;
  const heat_grid *grid = heat_dirichlet_grid(left);
  for (int step = 1; step <= steps; step++) {
    double t = step * dt;
    for (int j = 0; j < ny; j++) {
      temperature[j] = heat_exact(1.0, heat_grid_y(grid, j), t);
      flux[j] = heat_exact_flux(1.0, heat_grid_y(grid, j), t);
    }
    if (heat_dirichlet_step(left, dt, t, temperature, returned_flux) != 0) return fail("Dirichlet step");
    if (heat_neumann_step(right, dt, t, flux, returned_temperature) != 0) return fail("Neumann step");
    double e = heat_relative_error(heat_dirichlet_grid(left), heat_dirichlet_values(left), t);
    if (e > worst_left) worst_left = e;
    e = heat_relative_error(heat_neumann_grid(right), heat_neumann_values(right), t);
    if (e > worst_right) worst_right = e;
    for (int j = 0; j < ny; j++) {
      double d = fabs(returned_flux[j] - flux[j]) / fabs(flux[j]);
      if (d > worst_flux) worst_flux = d;
      d = fabs(returned_temperature[j] - temperature[j]) / fabs(temperature[j]);
      if (d > worst_temperature) worst_temperature = d;
    }
  }
  printf("{\"dirichletError\":%.3e,\"neumannError\":%.3e,\"fluxDeviation\":%.3e,\"temperatureDeviation\":%.3e,",
         worst_left, worst_right, worst_flux, worst_temperature);
  printf("\"dirichletValues\":[");
  for (int node = 0; node < nx * ny; node++) printf("%s%.17g", node ? "," : "", heat_dirichlet_values(left)[node]);
  printf("]}\n");
  free(temperature), free(flux), free(returned_flux), free(returned_temperature);
  heat_dirichlet_free(left);
  heat_neumann_free(right);
  return 0;
}

static double norm(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i] * x[i];
  return sqrt(s);
}

static double distance(const double *x, const double *y, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
  return sqrt(s);
}

static int coupled(int nx, int ny, int windows, int substeps, double dt, double omega, double limit) {
  heat_dirichlet *left;
  heat_neumann *right;
  if (heat_dirichlet_create(nx, ny, &left) != 0) return fail("Dirichlet side");
  if (heat_neumann_create(nx, ny, &right) != 0) return fail("Neumann side");
  heat_dirichlet_initialize(left, 0.0);
  heat_neumann_initialize(right, 0.0);
  int n = substeps * ny, count = nx * ny;
  /* Waveforms over the window's substeps 1..SUBSTEPS: T (what the Dirichlet side reads), flux. */
  double *temperature = calloc((size_t)n, sizeof(double)), *flux = calloc((size_t)n, sizeof(double));
  double *new_temperature = calloc((size_t)n, sizeof(double)), *previous_flux = calloc((size_t)n, sizeof(double));
  double *checkpoint_left = calloc((size_t)count, sizeof(double)), *checkpoint_right = calloc((size_t)count, sizeof(double));
  /* The first attempt of a window reads the last converged temperature, constant in time. */
  heat_neumann_temperature(right, temperature);
  for (int s = 1; s < substeps; s++) memcpy(temperature + s * ny, temperature, sizeof(double) * (size_t)ny);
  for (int window = 0; window < windows; window++) {
    double start = window * substeps * dt;
    memcpy(checkpoint_left, heat_dirichlet_values(left), sizeof(double) * (size_t)count);
    memcpy(checkpoint_right, heat_neumann_values(right), sizeof(double) * (size_t)count);
    int iteration = 0;
    for (;; iteration++) {
      if (iteration > 0) {
        memcpy(heat_dirichlet_values(left), checkpoint_left, sizeof(double) * (size_t)count);
        memcpy(heat_neumann_values(right), checkpoint_right, sizeof(double) * (size_t)count);
      }
      memcpy(previous_flux, flux, sizeof(double) * (size_t)n);
      for (int s = 0; s < substeps; s++) {
        if (heat_dirichlet_step(left, dt, start + (s + 1) * dt, temperature + s * ny, flux + s * ny) != 0)
          return fail("Dirichlet step");
      }
      for (int s = 0; s < substeps; s++) {
        if (heat_neumann_step(right, dt, start + (s + 1) * dt, flux + s * ny, new_temperature + s * ny) != 0)
          return fail("Neumann step");
      }
      double change_t = distance(new_temperature, temperature, n), change_f = distance(flux, previous_flux, n);
      int converged = iteration > 0 && change_t <= limit * norm(new_temperature, n) && change_f <= limit * norm(flux, n);
      if (converged || iteration >= 999) {
        memcpy(temperature, new_temperature, sizeof(double) * (size_t)n);
        break;
      }
      for (int i = 0; i < n; i++) temperature[i] = omega * new_temperature[i] + (1.0 - omega) * temperature[i];
    }
    double end = start + substeps * dt;
    printf("{\"window\":%d,\"iterations\":%d,\"dirichletError\":%.3e,\"neumannError\":%.3e}\n", window,
           iteration + 1, heat_relative_error(heat_dirichlet_grid(left), heat_dirichlet_values(left), end),
           heat_relative_error(heat_neumann_grid(right), heat_neumann_values(right), end));
    /* The next window starts from this one's end value, constant in time. */
    for (int s = 0; s < substeps - 1; s++)
      memcpy(temperature + s * ny, temperature + (substeps - 1) * ny, sizeof(double) * (size_t)ny);
  }
  heat_dirichlet_free(left);
  heat_neumann_free(right);
  free(temperature), free(flux), free(new_temperature), free(previous_flux), free(checkpoint_left),
      free(checkpoint_right);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 6 && strcmp(argv[1], "exact") == 0)
    return exact(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
  if (argc == 9 && strcmp(argv[1], "coupled") == 0)
    return coupled(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atof(argv[6]), atof(argv[7]),
                   atof(argv[8]));
  fprintf(stderr,
          "usage: heat_check exact NX NY STEPS DT | coupled NX NY WINDOWS SUBSTEPS DT OMEGA LIMIT\n");
  return 2;
}
