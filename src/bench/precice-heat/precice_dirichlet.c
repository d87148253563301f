/* The Dirichlet participant of the partitioned heat case on preCICE's C
 * bindings: the same numerics as the Conflux participants
 * (examples/partitioned-heat/heat_dirichlet.c), under the other coupler, so a
 * comparison of the two is the same solver under two couplers.
 *
 *   precice_dirichlet CONFIG.xml NX NY DT
 *
 * Per substep: read the interface temperature at the step's end, one backward
 * Euler step, write the interface heat flux ∂u/∂x. At the end of every window
 * it prints the relative L2 error against u, as the Conflux participants do:
 *
 *     window 3, t = 0.400: relative L2 error = 1.234e-15
 *
 * and at the end the time from the end of initialize to finalize:
 *
 *     coupled 10 windows in 0.512345 s
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <precice/preciceC.h>

#include "heat.h"

#define MESH "Dirichlet-Mesh"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: precice_dirichlet CONFIG.xml NX NY DT\n");
    return 2;
  }
  int nx = atoi(argv[2]), ny = atoi(argv[3]);
  double solver_dt = atof(argv[4]);
  heat_dirichlet *side;
  if (heat_dirichlet_create(nx, ny, &side) != 0 || !(solver_dt > 0)) {
    fprintf(stderr, "Dirichlet: %s\n", solver_dt > 0 ? heat_last_error() : "DT must be > 0");
    return 2;
  }
  heat_dirichlet_initialize(side, 0.0);
  const heat_grid *grid = heat_dirichlet_grid(side);
  size_t count = (size_t)nx * (size_t)ny;
  double *coordinates = malloc(2 * (size_t)ny * sizeof(double)), *temperature = malloc((size_t)ny * sizeof(double));
  double *flux = malloc((size_t)ny * sizeof(double)), *checkpoint = malloc(count * sizeof(double));
  int *ids = malloc((size_t)ny * sizeof(int));
  if (coordinates == NULL || temperature == NULL || flux == NULL || checkpoint == NULL || ids == NULL) {
    fprintf(stderr, "Dirichlet: out of memory\n");
    return 1;
  }

  precicec_createParticipant("Dirichlet", argv[1], 0, 1);
  for (int j = 0; j < ny; j++) {
    coordinates[2 * j] = 1.0;
    coordinates[2 * j + 1] = heat_grid_y(grid, j);
  }
  precicec_setMeshVertices(MESH, ny, coordinates, ids);
  if (precicec_requiresInitialData()) {
    heat_dirichlet_flux(side, flux);
    precicec_writeData(MESH, "Heat-Flux", ny, ids, flux);
  }
  precicec_initialize();
  struct timespec started, finished;
  clock_gettime(CLOCK_MONOTONIC, &started);

  double t = 0.0, checkpoint_t = 0.0;
  int window = 0;
  while (precicec_isCouplingOngoing()) {
    if (precicec_requiresWritingCheckpoint()) {
      memcpy(checkpoint, heat_dirichlet_values(side), count * sizeof(double));
      checkpoint_t = t;
    }
    double remaining = precicec_getMaxTimeStepSize();
    double dt = solver_dt < remaining ? solver_dt : remaining;
    precicec_readData(MESH, "Temperature", ny, ids, dt, temperature);
    if (heat_dirichlet_step(side, dt, t + dt, temperature, flux) != 0) {
      fprintf(stderr, "Dirichlet: %s\n", heat_last_error());
      return 1;
    }
    precicec_writeData(MESH, "Heat-Flux", ny, ids, flux);
    precicec_advance(dt);
    if (precicec_requiresReadingCheckpoint()) {
      memcpy(heat_dirichlet_values(side), checkpoint, count * sizeof(double));
      t = checkpoint_t;
    } else {
      t += dt;
      if (precicec_isTimeWindowComplete()) {
        printf("window %d, t = %.3f: relative L2 error = %.3e\n", window++, t,
               heat_relative_error(grid, heat_dirichlet_values(side), t));
        fflush(stdout);
      }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &finished);
  precicec_finalize();
  printf("coupled %d windows in %.6f s\n", window,
         (double)(finished.tv_sec - started.tv_sec) + 1e-9 * (double)(finished.tv_nsec - started.tv_nsec));
  free(coordinates), free(temperature), free(flux), free(checkpoint), free(ids);
  heat_dirichlet_free(side);
  return 0;
}
