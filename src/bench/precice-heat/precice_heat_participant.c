/* One participant of the partitioned heat case on preCICE's C bindings: the
 * same numerics as the Conflux participants (examples/partitioned-heat/
 * heat_dirichlet.c, heat_neumann.c), under the other coupler, so a comparison
 * of the two is the same solver under two couplers. Built once per side, with
 * -DHEAT_SIDE_DIRICHLET or -DHEAT_SIDE_NEUMANN: the two sides differ only in
 * the solver they call and the data they read and write.
 *
 *   precice_dirichlet CONFIG.xml NX NY DT
 *   precice_neumann CONFIG.xml NX NY DT
 *
 * Per substep: read the interface data at the step's end (the Dirichlet side
 * the temperature, the Neumann side the heat flux), one backward Euler step,
 * write the other (the heat flux ∂u/∂x, or the temperature). At the end of every window
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

#if defined(HEAT_SIDE_DIRICHLET)
#define PARTICIPANT "Dirichlet"
#define PROGRAM "precice_dirichlet"
#define READ_DATA "Temperature"
#define WRITE_DATA "Heat-Flux"
#define SIDE(name) heat_dirichlet_##name
#define SIDE_OUTPUT heat_dirichlet_flux
typedef heat_dirichlet heat_side;
#elif defined(HEAT_SIDE_NEUMANN)
#define PARTICIPANT "Neumann"
#define PROGRAM "precice_neumann"
#define READ_DATA "Heat-Flux"
#define WRITE_DATA "Temperature"
#define SIDE(name) heat_neumann_##name
#define SIDE_OUTPUT heat_neumann_temperature
typedef heat_neumann heat_side;
#else
#error "build with -DHEAT_SIDE_DIRICHLET or -DHEAT_SIDE_NEUMANN"
#endif

#define MESH PARTICIPANT "-Mesh"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: " PROGRAM " CONFIG.xml NX NY DT\n");
    return 2;
  }
  int nx = atoi(argv[2]), ny = atoi(argv[3]);
  double solver_dt = atof(argv[4]);
  heat_side *side;
  if (SIDE(create)(nx, ny, &side) != 0 || !(solver_dt > 0)) {
    fprintf(stderr, PARTICIPANT ": %s\n", solver_dt > 0 ? heat_last_error() : "DT must be > 0");
    return 2;
  }
  SIDE(initialize)(side, 0.0);
  const heat_grid *grid = SIDE(grid)(side);
  size_t count = (size_t)nx * (size_t)ny;
  double *coordinates = malloc(2 * (size_t)ny * sizeof(double)), *incoming = malloc((size_t)ny * sizeof(double));
  double *outgoing = malloc((size_t)ny * sizeof(double)), *checkpoint = malloc(count * sizeof(double));
  int *ids = malloc((size_t)ny * sizeof(int));
  if (coordinates == NULL || incoming == NULL || outgoing == NULL || checkpoint == NULL || ids == NULL) {
    fprintf(stderr, PARTICIPANT ": out of memory\n");
    return 1;
  }

  precicec_createParticipant(PARTICIPANT, argv[1], 0, 1);
  for (int j = 0; j < ny; j++) {
    coordinates[2 * j] = 1.0;
    coordinates[2 * j + 1] = heat_grid_y(grid, j);
  }
  precicec_setMeshVertices(MESH, ny, coordinates, ids);
  if (precicec_requiresInitialData()) {
    SIDE_OUTPUT(side, outgoing);
    precicec_writeData(MESH, WRITE_DATA, ny, ids, outgoing);
  }
  precicec_initialize();
  struct timespec started, finished;
  clock_gettime(CLOCK_MONOTONIC, &started);

  double t = 0.0, checkpoint_t = 0.0;
  int window = 0;
  while (precicec_isCouplingOngoing()) {
    if (precicec_requiresWritingCheckpoint()) {
      memcpy(checkpoint, SIDE(values)(side), count * sizeof(double));
      checkpoint_t = t;
    }
    double remaining = precicec_getMaxTimeStepSize();
    double dt = solver_dt < remaining ? solver_dt : remaining;
    precicec_readData(MESH, READ_DATA, ny, ids, dt, incoming);
    if (SIDE(step)(side, dt, t + dt, incoming, outgoing) != 0) {
      fprintf(stderr, PARTICIPANT ": %s\n", heat_last_error());
      return 1;
    }
    precicec_writeData(MESH, WRITE_DATA, ny, ids, outgoing);
    precicec_advance(dt);
    if (precicec_requiresReadingCheckpoint()) {
      memcpy(SIDE(values)(side), checkpoint, count * sizeof(double));
      t = checkpoint_t;
    } else {
      t += dt;
      if (precicec_isTimeWindowComplete()) {
        printf("window %d, t = %.3f: relative L2 error = %.3e\n", window++, t,
               heat_relative_error(grid, SIDE(values)(side), t));
        fflush(stdout);
      }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &finished);
  precicec_finalize();
  printf("coupled %d windows in %.6f s\n", window,
         (double)(finished.tv_sec - started.tv_sec) + 1e-9 * (double)(finished.tv_nsec - started.tv_nsec));
  free(coordinates), free(incoming), free(outgoing), free(checkpoint), free(ids);
  SIDE(free)(side);
  return 0;
}
