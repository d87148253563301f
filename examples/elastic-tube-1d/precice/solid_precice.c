/* The wall of the 1-D elastic tube on preCICE's C bindings: the tube law of
 * ../tube.c (the same as the Conflux solid's tube_wall.py).
 *
 *   solid_precice CONFIG.xml CELLS
 *
 * At the end it prints how long the coupling took, from the end of initialize
 * to finalize (what a benchmark compares), as
 *     coupled 100 windows in 0.512345 s */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <precice/preciceC.h>

#include "tube.h"

#define MESH "Solid-Nodes-Mesh"

int main(int argc, char **argv) {
  int cells = argc == 3 ? atoi(argv[2]) : 0;
  if (cells < 2 || cells > 100000) {
    fprintf(stderr, "usage: solid_precice CONFIG.xml CELLS (2 to 100,000)\n");
    return 2;
  }
  int nodes = cells + 1;
  double *coordinates = calloc(2 * (size_t)nodes, sizeof(double)), *area = malloc(sizeof(double) * (size_t)nodes);
  double *pressure = calloc((size_t)nodes, sizeof(double));
  int *ids = malloc(sizeof(int) * (size_t)nodes);
  if (coordinates == NULL || area == NULL || pressure == NULL || ids == NULL) {
    fprintf(stderr, "Solid: out of memory\n");
    return 1;
  }
  for (int i = 0; i < nodes; i++) {
    coordinates[2 * i] = TUBE_LENGTH * i / cells;
    area[i] = tube_reference_area();
  }
  precicec_createParticipant("Solid", argv[1], 0, 1);
  precicec_setMeshVertices(MESH, nodes, coordinates, ids);
  if (precicec_requiresInitialData()) precicec_writeData(MESH, "CrossSectionLength", nodes, ids, area);
  precicec_initialize();
  struct timespec started, finished;
  clock_gettime(CLOCK_MONOTONIC, &started);
  int windows = 0;
  while (precicec_isCouplingOngoing()) {
    (void)precicec_requiresWritingCheckpoint(); /* the wall has no state to keep */
    double dt = precicec_getMaxTimeStepSize();
    precicec_readData(MESH, "Pressure", nodes, ids, dt, pressure);
    tube_wall_area(nodes, pressure, area);
    precicec_writeData(MESH, "CrossSectionLength", nodes, ids, area);
    precicec_advance(dt);
    if (precicec_isTimeWindowComplete()) windows++;
    (void)precicec_requiresReadingCheckpoint();
  }
  clock_gettime(CLOCK_MONOTONIC, &finished);
  precicec_finalize();
  printf("coupled %d windows in %.6f s\n", windows,
         (double)(finished.tv_sec - started.tv_sec) + 1e-9 * (double)(finished.tv_nsec - started.tv_nsec));
  free(coordinates), free(area), free(pressure), free(ids);
  return 0;
}
