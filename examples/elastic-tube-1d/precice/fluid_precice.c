/* The fluid of the 1-D elastic tube on preCICE's C bindings, with the same
 * numerics as the Conflux fluid (../tube.c), so the two couplers can be
 * compared on the same solver, and a run through preCICE writes the files the
 * tutorial's reference results are made of (its VTK exports).
 *
 *   fluid_precice CONFIG.xml CELLS
 *
 * One step a window, as the tutorial's fluid. When Newton fails it writes NaN
 * for the pressure, as the tutorial's fluid does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <precice/preciceC.h>

#include "tube.h"

#define MESH "Fluid-Nodes-Mesh"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fluid_precice CONFIG.xml CELLS\n");
    return 2;
  }
  tube_fluid *fluid;
  if (tube_fluid_create(atoi(argv[2]), TUBE_LENGTH, &fluid) != 0) {
    fprintf(stderr, "Fluid: %s\n", tube_last_error());
    return 2;
  }
  int nodes = tube_fluid_nodes(fluid), size = tube_fluid_state_size(fluid);
  double *coordinates = calloc(2 * (size_t)nodes, sizeof(double)), *area = malloc(sizeof(double) * (size_t)nodes);
  double *pressure = calloc((size_t)nodes, sizeof(double)), *checkpoint = malloc(sizeof(double) * (size_t)size);
  int *ids = malloc(sizeof(int) * (size_t)nodes);
  if (coordinates == NULL || area == NULL || pressure == NULL || checkpoint == NULL || ids == NULL) {
    fprintf(stderr, "Fluid: out of memory\n");
    return 1;
  }
  for (int i = 0; i < nodes; i++) coordinates[2 * i] = tube_fluid_node_x(fluid, i);

  precicec_createParticipant("Fluid", argv[1], 0, 1);
  precicec_setMeshVertices(MESH, nodes, coordinates, ids);
  if (precicec_requiresInitialData()) precicec_writeData(MESH, "Pressure", nodes, ids, pressure);
  precicec_initialize();
  precicec_readData(MESH, "CrossSectionLength", nodes, ids, 0.0, area);
  tube_fluid_initialize(fluid, area);

  double t = 0.0, checkpoint_t = 0.0;
  long newton = 0, steps = 0;
  while (precicec_isCouplingOngoing()) {
    if (precicec_requiresWritingCheckpoint()) {
      memcpy(checkpoint, tube_fluid_state(fluid), sizeof(double) * (size_t)size);
      checkpoint_t = t;
    }
    double dt = precicec_getMaxTimeStepSize();
    precicec_readData(MESH, "CrossSectionLength", nodes, ids, dt, area);
    if (tube_fluid_step(fluid, dt, t + dt, area) == 0) {
      memcpy(pressure, tube_fluid_pressure(fluid), sizeof(double) * (size_t)nodes);
      newton += tube_fluid_newton_iterations(fluid);
      steps++;
    } else {
      fprintf(stderr, "Fluid: t = %.4f: %s; writing NaN for the pressure\n", t + dt, tube_last_error());
      for (int i = 0; i < nodes; i++) pressure[i] = NAN;
    }
    precicec_writeData(MESH, "Pressure", nodes, ids, pressure);
    precicec_advance(dt);
    if (precicec_requiresReadingCheckpoint()) {
      memcpy(tube_fluid_state(fluid), checkpoint, sizeof(double) * (size_t)size);
      t = checkpoint_t;
    } else {
      t += dt;
    }
  }
  precicec_finalize();
  printf("Fluid: %ld steps, %.2f Newton iterations a step\n", steps, steps > 0 ? (double)newton / (double)steps : 0.0);
  free(coordinates), free(area), free(pressure), free(checkpoint), free(ids);
  tube_fluid_free(fluid);
  return 0;
}
