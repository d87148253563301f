/* appA of the talk, written in C against the conflux C client. It follows the
 * talk's initialisation sketch (set up, handshake with the driver over two
 * command queues, allocate the mesh buffer shared with the driver, publish its
 * metadata, notify the driver, wait for the ACK, loop) and computes exactly
 * what src/bench/seed-workload.ts computes for the application that owns
 * "temperature": the same points, k-nearest-neighbour graph, smoothing and
 * relaxation, in the same floating-point order, so a coupled run matches the
 * TypeScript reference bit for bit. Build with `make` in this directory. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflux.h"

/* mulberry32, as in seed-workload.ts: the same stream in every language (uint32 arithmetic). */
static double next_random(uint32_t *state) {
  *state += 0x6d2b79f5u;
  uint32_t value = *state;
  value = (value ^ (value >> 15)) * (value | 1u);
  value ^= value + (value ^ (value >> 7)) * (value | 61u);
  return (double)(value ^ (value >> 14)) / 4294967296.0;
}

/* Uniform random points in the unit cube, structure of arrays (x[], y[], z[]). */
static void seed_points(double *coordinates, int count, uint32_t seed) {
  uint32_t state = seed;
  for (long index = 0; index < 3L * count; index++) coordinates[index] = next_random(&state);
}

/* The k nearest other points of every point, brute force; ties keep the lower index first. */
static void neighbour_graph(const double *coordinates, int count, int k, int *graph, double *distances) {
  for (int point = 0; point < count; point++) {
    double x = coordinates[point], y = coordinates[count + point], z = coordinates[2 * count + point];
    for (int slot = 0; slot < k; slot++) distances[slot] = INFINITY;
    int *row = graph + (long)point * k;
    for (int other = 0; other < count; other++) {
      if (other == point) continue;
      double dx = coordinates[other] - x;
      double dy = coordinates[count + other] - y;
      double dz = coordinates[2 * count + other] - z;
      double distance = dx * dx + dy * dy + dz * dz;
      if (distance >= distances[k - 1]) continue;
      int slot = k - 1;
      while (slot > 0 && distances[slot - 1] > distance) {
        distances[slot] = distances[slot - 1];
        row[slot] = row[slot - 1];
        slot--;
      }
      distances[slot] = distance;
      row[slot] = other;
    }
  }
}

/* One step: `sweeps` smoothing sweeps of `owned` over the graph, then relaxation towards `received`. */
static void seed_step(double *owned, const double *received, const int *graph, int count, int k, int sweeps,
                      double *scratch) {
  for (int sweep = 0; sweep < sweeps; sweep++) {
    for (int point = 0; point < count; point++) {
      double sum = owned[point];
      const int *row = graph + (long)point * k;
      for (int neighbour = 0; neighbour < k; neighbour++) sum += owned[row[neighbour]];
      scratch[point] = sum / (k + 1);
    }
    memcpy(owned, scratch, sizeof(double) * (size_t)count);
  }
  for (int point = 0; point < count; point++) owned[point] = owned[point] + 0.1 * (received[point] - owned[point]);
}

static int setting(cfx_component *app, const char *key, int fallback, int *value) {
  int rc = cfx_arg_int(app, key, fallback, value);
  if (rc == CFX_OK && *value < 0) {
    fprintf(stderr, "ERROR: args.%s must be a whole number >= 0, got %d\n", key, *value);
    return CFX_ERR_ARGUMENT;
  }
  return rc;
}

int main(void) {
  cfx_component *app = NULL;
  cfx_mesh *mesh = NULL;
  double *coordinates, *temperature, *flux, *scratch = NULL, *distances = NULL;
  int *graph = NULL;
  int points, seed, sweeps, neighbours, iteration, rc;

  /* Set up: join the run the launcher named (CONFLUX_RUN_DIR), and the
   * handshake: attach the two command queues the driver created for us. */
  rc = cfx_connect(&app);
  if (rc != CFX_OK) {
    fprintf(stderr, "ERROR: cfx_connect() failed: %s\n", cfx_last_error());
    return 1;
  }
  if ((rc = setting(app, "points", 3000, &points)) != CFX_OK || (rc = setting(app, "seed", 1, &seed)) != CFX_OK ||
      (rc = setting(app, "sweeps", 3, &sweeps)) != CFX_OK ||
      (rc = setting(app, "neighbours", 6, &neighbours)) != CFX_OK)
    goto exit_fn_on_error;

  /* Allocate the buffer for the mesh that will be shared with the driver; its
   * metadata (layout, count, dimension, fields) is published with it. */
  printf("Sharing mesh meta-data\n");
  rc = cfx_share_mesh(app, "surface", 3, points, CFX_LAYOUT_SOA, "temperature,flux", &mesh);
  if (rc != CFX_OK) goto exit_fn_on_error;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, "temperature", &temperature);
  cfx_mesh_field(mesh, "flux", &flux);
  seed_points(coordinates, points, (uint32_t)seed);
  for (int point = 0; point < points; point++)
    temperature[point] = 1 + coordinates[point] + 2 * coordinates[points + point] + 3 * coordinates[2 * points + point];
  graph = calloc((size_t)points * (size_t)(neighbours > 0 ? neighbours : 1), sizeof *graph);
  distances = calloc((size_t)(neighbours > 0 ? neighbours : 1), sizeof *distances);
  scratch = calloc((size_t)points, sizeof *scratch);
  if (graph == NULL || distances == NULL || scratch == NULL) {
    fprintf(stderr, "ERROR: out of memory for %d points\n", points);
    rc = CFX_ERR_NO_MEMORY;
    goto exit_fn_on_error;
  }
  if (neighbours > 0) neighbour_graph(coordinates, points, neighbours, graph, distances);

  /* Notify the driver that we are up, and wait for its ACK before running. */
  printf("Notifying driver that we are up, waiting for the ACK...\n");
  rc = cfx_ready(app);
  if (rc != CFX_OK) goto exit_fn_on_error;

  /* Now we execute, letting the driver coordinate everything. */
  printf("Starting computation...\n");
  while ((rc = cfx_next_step(app, &iteration)) == CFX_OK && iteration >= 0) {
    seed_step(temperature, flux, graph, points, neighbours, sweeps, scratch);
    if ((rc = cfx_done(app)) != CFX_OK) break;
  }
  if (rc != CFX_OK) goto exit_fn_on_error;
  printf("All done, finalizing...\n");
  free(graph);
  free(distances);
  free(scratch);
  cfx_close(app);
  return 0;

exit_fn_on_error:
  fprintf(stderr, "ERROR: appA failed (%s): %s\n", cfx_error_name(rc), cfx_last_error());
  free(graph);
  free(distances);
  free(scratch);
  cfx_close(app);
  return 1;
}
