/* The Neumann participant of the partitioned heat case as an MPI job: any
 * number of ranks (the composition gives 3), each owning a contiguous block of
 * the interface nodes, on the conflux C client (clients/c). The client never
 * calls MPI: it reads the rank and size the launcher set (docs/parallel.md),
 * and each rank joins the run with its own channel and mesh partition.
 *
 * The solve is the serial one, on rank 0 (the subdomain is 11 × 11 nodes; what
 * is parallel here is the coupling's data, not the linear algebra): per
 * substep every rank reads the flux of its interface block, rank 0 gathers the
 * blocks, takes the backward Euler step of heat_neumann.c and scatters the new
 * interface temperature, and every rank writes its block. The arithmetic is
 * the serial participant's (neumann.c), so the coupled result is too.
 *
 * args as neumann.c: nx, ny, dt, error_tolerance. Rank 0 prints the window
 * lines. Build with `make neumann_mpi` (needs mpicc: Debian libopenmpi-dev). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflux.h"
#include "heat.h"

/* The block of `total` nodes rank `rank` of `size` owns: the first total % size ranks take one more. */
static void block_of(int total, int size, int rank, int *offset, int *count) {
  int base = total / size, extra = total % size;
  *count = base + (rank < extra ? 1 : 0);
  *offset = rank * base + (rank < extra ? rank : extra);
}

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

/* The coupling loop. Returns 0, or -1 after printing why; every rank runs it, rank 0 alone touches `side`. */
static int couple(cfx_component *app, MPI_Comm world, heat_neumann *side, int ny, double solver_dt, double tolerance) {
  int rank, size, rc, failed = 0;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  int *counts = malloc((size_t)size * sizeof *counts), *offsets = malloc((size_t)size * sizeof *offsets);
  double *flux_all = malloc((size_t)ny * sizeof *flux_all), *temperature_all = malloc((size_t)ny * sizeof *flux_all);
  double *flux = malloc((size_t)ny * sizeof *flux), *checkpoint = NULL;
  size_t state = 0;
  if (rank == 0) {
    const heat_grid *grid = heat_neumann_grid(side);
    state = (size_t)grid->nx * (size_t)grid->ny;
    checkpoint = malloc(state * sizeof *checkpoint);
  }
  if (counts == NULL || offsets == NULL || flux_all == NULL || temperature_all == NULL || flux == NULL ||
      (rank == 0 && checkpoint == NULL)) {
    fprintf(stderr, "ERROR: Neumann rank %d: out of memory\n", rank);
    failed = 1;
    goto done;
  }
  for (int r = 0; r < size; r++) block_of(ny, size, r, &offsets[r], &counts[r]);
  int offset = offsets[rank], count = counts[rank];

  /* This rank's block of the interface: the nodes of x = 1 from y = offset·hy. */
  cfx_mesh *mesh = NULL;
  double *coordinates, *temperature;
  rc = cfx_share_mesh(app, "interface", 2, (size_t)count, CFX_LAYOUT_SOA, "T,flux", &mesh);
  if (rc != CFX_OK) goto client_error;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, "T", &temperature);
  heat_grid grid;
  if (rank == 0) {
    grid = *heat_neumann_grid(side);
    heat_neumann_temperature(side, temperature_all); /* the initial temperature, read by the Dirichlet side first */
  }
  MPI_Bcast(&grid, (int)sizeof grid, MPI_BYTE, 0, world);
  for (int j = 0; j < count; j++) {
    coordinates[j] = 1.0;
    coordinates[count + j] = heat_grid_y(&grid, offset + j);
  }
  MPI_Scatterv(temperature_all, counts, offsets, MPI_DOUBLE, temperature, count, MPI_DOUBLE, 0, world);
  if ((rc = cfx_ready(app)) != CFX_OK) goto client_error;

  double t = 0.0, checkpoint_t = 0.0, window_end = -1.0; /* of the window attempt under way; -1: none yet */
  int window = 0, ongoing, required;
  for (;;) {
    if ((rc = cfx_is_coupling_ongoing(app, &ongoing)) != CFX_OK) goto client_error;
    if (!ongoing) break;
    if ((rc = cfx_requires_writing_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      if (rank == 0) memcpy(checkpoint, heat_neumann_values(side), state * sizeof *checkpoint);
      checkpoint_t = t;
      if ((rc = cfx_checkpoint_written(app, t)) != CFX_OK) goto client_error;
    }
    if ((rc = cfx_requires_reading_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      if (rank == 0) memcpy(heat_neumann_values(side), checkpoint, state * sizeof *checkpoint);
      t = checkpoint_t;
      if ((rc = cfx_checkpoint_restored(app, t)) != CFX_OK) goto client_error;
    }
    double remaining, dt;
    if ((rc = cfx_max_time_step(app, &remaining)) != CFX_OK) goto client_error;
    if (window_end < 0.0 || t >= window_end - 1e-9 * (fabs(t) > 1.0 ? fabs(t) : 1.0)) {
      /* A new window: the one before is over (converged, or its only attempt if explicit). */
      if (window_end >= 0.0) {
        if (rank == 0 && report(window, t, heat_relative_error(&grid, heat_neumann_values(side), t), tolerance) != 0)
          failed = 1;
        MPI_Bcast(&failed, 1, MPI_INT, 0, world);
        if (failed) goto done;
        window++;
      }
      window_end = t + remaining;
    }
    dt = solver_dt < remaining ? solver_dt : remaining;
    if ((rc = cfx_read(app, "interface", "flux", dt, flux)) != CFX_OK) goto client_error; /* at this step's end */
    MPI_Gatherv(flux, count, MPI_DOUBLE, flux_all, counts, offsets, MPI_DOUBLE, 0, world);
    if (rank == 0 && heat_neumann_step(side, dt, t + dt, flux_all, temperature_all) != 0) {
      fprintf(stderr, "ERROR: Neumann: %s\n", heat_last_error());
      failed = 1;
    }
    MPI_Bcast(&failed, 1, MPI_INT, 0, world);
    if (failed) goto done;
    MPI_Scatterv(temperature_all, counts, offsets, MPI_DOUBLE, temperature, count, MPI_DOUBLE, 0, world);
    if ((rc = cfx_advance(app, dt)) != CFX_OK) goto client_error;
    t += dt;
  }
  if (rank == 0 && report(window, t, heat_relative_error(&grid, heat_neumann_values(side), t), tolerance) != 0)
    failed = 1;
  goto done;

client_error:
  fprintf(stderr, "ERROR: Neumann rank %d failed (%s): %s\n", rank, cfx_error_name(rc), cfx_last_error());
  failed = 1;
  /* A rank that lost its driver does not wait in a collective for the others: the driver ends the run and
   * mpirun takes the job down. */
  MPI_Abort(world, 1);
done:
  free(counts);
  free(offsets);
  free(flux_all);
  free(temperature_all);
  free(flux);
  free(checkpoint);
  return failed ? -1 : 0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  cfx_component *app = NULL;
  int rc = cfx_connect(&app);
  if (rc != CFX_OK) {
    fprintf(stderr, "ERROR: Neumann rank %d: cfx_connect() failed: %s\n", rank, cfx_last_error());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  int nx, ny;
  double solver_dt, tolerance;
  if ((rc = cfx_arg_int(app, "nx", 11, &nx)) != CFX_OK || (rc = cfx_arg_int(app, "ny", 11, &ny)) != CFX_OK ||
      (rc = cfx_arg_double(app, "dt", 0.01, &solver_dt)) != CFX_OK ||
      (rc = cfx_arg_double(app, "error_tolerance", 1e-8, &tolerance)) != CFX_OK) {
    fprintf(stderr, "ERROR: Neumann rank %d (%s): %s\n", rank, cfx_error_name(rc), cfx_last_error());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  /* Every rank checks the same args, so every rank agrees on whether to go on. */
  heat_neumann *side = NULL;
  if (!(solver_dt > 0) || heat_neumann_create(nx, ny, &side) != 0) {
    fprintf(stderr, "ERROR: Neumann rank %d: %s\n", rank,
            solver_dt > 0 ? heat_last_error() : "args.dt must be > 0");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (rank != 0) {
    heat_neumann_free(side); /* only rank 0 solves */
    side = NULL;
  } else {
    heat_neumann_initialize(side, 0.0);
  }
  int status = couple(app, MPI_COMM_WORLD, side, ny, solver_dt, tolerance);
  heat_neumann_free(side);
  cfx_close(app);
  MPI_Finalize();
  return status == 0 ? 0 : 1;
}
