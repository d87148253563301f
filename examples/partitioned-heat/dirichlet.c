/* The Dirichlet participant of the partitioned heat case in C, a Conflux
 * component on the conflux C client (clients/c): the left half [0, 1] × [0, 1],
 * with the numerics of heat_dirichlet.c, the same as dirichlet.py's in numpy.
 * Per substep it reads the interface temperature the Neumann side sent, takes
 * one backward Euler step, and writes the interface heat flux ∂u/∂x. It makes
 * the pair all C, as under the other coupler in src/bench/precice-heat, for a
 * comparison of times (`conflux bench implicit`); the example's composition
 * runs the Python one.
 *
 * args: nx, ny (nodes per side, 11 × 11 as the tutorial), dt (0.01: ten
 * substeps in a window of 0.1), error_tolerance (1e-8, the tutorial's; the run
 * fails when a converged window's relative L2 error against u is above it; 0
 * turns the check off).
 *
 * When a window is over (at the start of the next, and at the end) it prints
 * the relative L2 error of that window's result against u:
 *
 *     window 3, t = 0.400: relative L2 error = 1.234e-15
 *
 * Build with `make` in this directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflux.h"
#include "heat.h"

static int report(int window, double t, double error, double tolerance) {
  printf("window %d, t = %.3f: relative L2 error = %.3e\n", window, t, error);
  fflush(stdout);
  if (tolerance > 0 && !(error < tolerance)) {
    fprintf(stderr, "ERROR: window %d ended (t = %.3f) with relative L2 error %.3e, above %g\n", window, t, error,
            tolerance);
    return -1;
  }
  return 0;
}

int main(void) {
  cfx_component *app = NULL;
  cfx_mesh *mesh = NULL;
  heat_dirichlet *side = NULL;
  double *coordinates, *flux, *checkpoint = NULL, *temperature = NULL;
  int nx, ny, rc;

  rc = cfx_connect(&app);
  if (rc != CFX_OK) {
    fprintf(stderr, "ERROR: cfx_connect() failed: %s\n", cfx_last_error());
    return 1;
  }
  double solver_dt, tolerance;
  if ((rc = cfx_arg_int(app, "nx", 11, &nx)) != CFX_OK || (rc = cfx_arg_int(app, "ny", 11, &ny)) != CFX_OK ||
      (rc = cfx_arg_double(app, "dt", 0.01, &solver_dt)) != CFX_OK ||
      (rc = cfx_arg_double(app, "error_tolerance", 1e-8, &tolerance)) != CFX_OK)
    goto client_error;
  if (heat_dirichlet_create(nx, ny, &side) != 0) {
    fprintf(stderr, "ERROR: Dirichlet: %s\n", heat_last_error());
    cfx_close(app);
    return 1;
  }
  if (!(solver_dt > 0)) {
    fprintf(stderr, "ERROR: Dirichlet: args.dt must be > 0, got %g\n", solver_dt);
    goto fail;
  }
  heat_dirichlet_initialize(side, 0.0);
  size_t count = (size_t)nx * (size_t)ny;
  checkpoint = malloc(count * sizeof *checkpoint);
  temperature = malloc((size_t)ny * sizeof *temperature);
  if (checkpoint == NULL || temperature == NULL) {
    fprintf(stderr, "ERROR: Dirichlet: out of memory\n");
    goto fail;
  }

  /* The interface: the ny nodes of x = 1, from y = 0 to y = 1. */
  rc = cfx_share_mesh(app, "interface", 2, ny, CFX_LAYOUT_SOA, "T,flux", &mesh);
  if (rc != CFX_OK) goto client_error;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, "flux", &flux);
  const heat_grid *grid = heat_dirichlet_grid(side);
  for (int j = 0; j < ny; j++) {
    coordinates[j] = 1.0;
    coordinates[ny + j] = heat_grid_y(grid, j);
  }
  heat_dirichlet_flux(side, flux); /* the initial flux, which the Neumann side reads in the first window */
  if ((rc = cfx_ready(app)) != CFX_OK) goto client_error;

  double t = 0.0, checkpoint_t = 0.0, window_end = -1.0; /* of the window attempt under way; -1: none yet */
  int window = 0, ongoing, required;
  for (;;) {
    if ((rc = cfx_is_coupling_ongoing(app, &ongoing)) != CFX_OK) goto client_error;
    if (!ongoing) break;
    if ((rc = cfx_requires_writing_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      memcpy(checkpoint, heat_dirichlet_values(side), count * sizeof *checkpoint);
      checkpoint_t = t;
      if ((rc = cfx_checkpoint_written(app, t)) != CFX_OK) goto client_error;
    }
    if ((rc = cfx_requires_reading_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      memcpy(heat_dirichlet_values(side), checkpoint, count * sizeof *checkpoint);
      t = checkpoint_t;
      if ((rc = cfx_checkpoint_restored(app, t)) != CFX_OK) goto client_error;
    }
    double remaining, dt;
    if ((rc = cfx_max_time_step(app, &remaining)) != CFX_OK) goto client_error;
    if (window_end < 0.0 || t >= window_end - 1e-9 * (fabs(t) > 1.0 ? fabs(t) : 1.0)) {
      /* A new window: the one before is over (converged, or its only attempt if explicit). */
      if (window_end >= 0.0) {
        if (report(window, t, heat_relative_error(grid, heat_dirichlet_values(side), t), tolerance) != 0) goto fail;
        window++;
      }
      window_end = t + remaining;
    }
    dt = solver_dt < remaining ? solver_dt : remaining;
    if ((rc = cfx_read(app, "interface", "T", dt, temperature)) != CFX_OK) goto client_error; /* at this step's end */
    if (heat_dirichlet_step(side, dt, t + dt, temperature, flux) != 0) {
      fprintf(stderr, "ERROR: Dirichlet: %s\n", heat_last_error());
      goto fail;
    }
    if ((rc = cfx_advance(app, dt)) != CFX_OK) goto client_error;
    t += dt;
  }
  if (report(window, t, heat_relative_error(grid, heat_dirichlet_values(side), t), tolerance) != 0) goto fail;
  free(checkpoint);
  free(temperature);
  heat_dirichlet_free(side);
  cfx_close(app);
  return 0;

client_error:
  fprintf(stderr, "ERROR: Dirichlet failed (%s): %s\n", cfx_error_name(rc), cfx_last_error());
fail:
  free(checkpoint);
  free(temperature);
  heat_dirichlet_free(side);
  cfx_close(app);
  return 1;
}
