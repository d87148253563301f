/* One participant of the preCICE peer of `conflux bench map`: A provides the
 * source mesh and writes a field on it every window; B provides the target
 * mesh, receives A's, and reads the field through the configured read
 * mapping (nearest-neighbor, rbf-pum-direct or rbf-global-direct), so that
 * preCICE sets the mapping up in initialize and applies it every window. The
 * times come from preCICE's own profiling (events map.*.computeMapping and
 * map.*.mapData), not from here.
 *
 *   precice_map CONFIG.xml A|B POINTS COUNT
 *
 * POINTS holds COUNT points as raw little-endian doubles x0 y0 z0 x1 ... (the
 * points Conflux maps in the same run). The field is 1 + x + 2y + 3z, and B
 * prints how far the mapped field is from it at its points after the last
 * window (about 1e-14 for RBF mappings, which reproduce linear fields):
 *
 *     mapped 6 windows, max error 1.234e-15
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <precice/preciceC.h>

static double field(const double *x) { return 1.0 + x[0] + 2.0 * x[1] + 3.0 * x[2]; }

int main(int argc, char **argv) {
  if (argc != 5 || (strcmp(argv[2], "A") != 0 && strcmp(argv[2], "B") != 0)) {
    fprintf(stderr, "usage: precice_map CONFIG.xml A|B POINTS COUNT\n");
    return 2;
  }
  int isA = strcmp(argv[2], "A") == 0;
  long count = atol(argv[4]);
  if (count < 1) {
    fprintf(stderr, "precice_map: COUNT must be at least 1\n");
    return 2;
  }
  double *coordinates = malloc(3 * (size_t)count * sizeof(double));
  double *values = malloc((size_t)count * sizeof(double));
  int *ids = malloc((size_t)count * sizeof(int));
  if (coordinates == NULL || values == NULL || ids == NULL) {
    fprintf(stderr, "precice_map: out of memory\n");
    return 1;
  }
  FILE *points = fopen(argv[3], "rb");
  if (points == NULL || fread(coordinates, sizeof(double), 3 * (size_t)count, points) != 3 * (size_t)count) {
    fprintf(stderr, "precice_map: cannot read %ld points from %s\n", count, argv[3]);
    return 1;
  }
  fclose(points);
  const char *mesh = isA ? "MeshA" : "MeshB";
  precicec_createParticipant(argv[2], argv[1], 0, 1);
  precicec_setMeshVertices(mesh, (int)count, coordinates, ids);
  if (isA) {
    for (long i = 0; i < count; i++) values[i] = field(&coordinates[3 * i]);
    if (precicec_requiresInitialData()) precicec_writeData(mesh, "DataA", (int)count, ids, values);
  }
  precicec_initialize();
  int windows = 0;
  while (precicec_isCouplingOngoing()) {
    double dt = precicec_getMaxTimeStepSize();
    if (isA) precicec_writeData(mesh, "DataA", (int)count, ids, values);
    precicec_advance(dt);
    if (!isA && precicec_isCouplingOngoing()) precicec_readData(mesh, "DataA", (int)count, ids, 0.0, values);
    windows++;
  }
  if (!isA) {
    double error = 0.0;
    for (long i = 0; i < count; i++) error = fmax(error, fabs(values[i] - field(&coordinates[3 * i])));
    printf("mapped %d windows, max error %.3e\n", windows, error);
  }
  precicec_finalize();
  free(coordinates);
  free(values);
  free(ids);
  return 0;
}
