/* A component of the time API's tests (test/clients/time-api.test.ts), in C
 * on the client: a 1-D mesh "m" of `count` points with fields "in" (the
 * driver writes it) and "out" (this component writes it). Every step reads
 * "in" at the step's end and writes it to "out", so the driver can see what
 * was read and when. At the start of each attempt it prints
 * "attempt WINDOW ITERATION TIME". args: count, dt, mode (normal,
 * ignore-restore: never restores; overstep: steps twice the time left;
 * substeps: always steps dt). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conflux.h"

static int mode_is(const char *args, const char *mode) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"mode\":\"%s\"", mode);
  return strstr(args, pattern) != NULL;
}

int main(void) {
  cfx_component *app = NULL;
  cfx_mesh *mesh = NULL;
  int rc = cfx_connect(&app), count = 3;
  double solver_dt = 0.025, *coordinates, *in, *out;
  if (rc != CFX_OK) goto failed;
  if ((rc = cfx_arg_int(app, "count", 3, &count)) != CFX_OK) goto failed;
  if ((rc = cfx_arg_double(app, "dt", 0.025, &solver_dt)) != CFX_OK) goto failed;
  const char *args = cfx_component_args(app);
  int ignore_restore = mode_is(args, "ignore-restore"), overstep = mode_is(args, "overstep");
  int substeps = mode_is(args, "substeps");
  if ((rc = cfx_share_mesh(app, "m", 1, count, CFX_LAYOUT_SOA, "in,out", &mesh)) != CFX_OK) goto failed;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, "in", &in);
  cfx_mesh_field(mesh, "out", &out);
  for (int j = 0; j < count; j++) {
    coordinates[j] = j;
    out[j] = 10.0 * j;
  }
  if ((rc = cfx_ready(app)) != CFX_OK) goto failed;
  double t = 0, saved = 0;
  int ongoing, required, last_window = -1, last_iteration = -1;
  for (;;) {
    if ((rc = cfx_is_coupling_ongoing(app, &ongoing)) != CFX_OK) goto failed;
    if (!ongoing) break;
    int window, iteration;
    double now;
    cfx_window(app, &window);
    cfx_iteration(app, &iteration);
    cfx_time(app, &now);
    if (window != last_window || iteration != last_iteration) {
      printf("attempt %d %d %.17g\n", window, iteration, now);
      fflush(stdout);
      last_window = window;
      last_iteration = iteration;
    }
    if ((rc = cfx_requires_writing_checkpoint(app, &required)) != CFX_OK) goto failed;
    if (required) {
      saved = t;
      if ((rc = cfx_checkpoint_written(app, t)) != CFX_OK) goto failed;
    }
    if ((rc = cfx_requires_reading_checkpoint(app, &required)) != CFX_OK) goto failed;
    if (required && !ignore_restore) {
      t = saved;
      if ((rc = cfx_checkpoint_restored(app, t)) != CFX_OK) goto failed;
    }
    double left, dt;
    if ((rc = cfx_max_time_step(app, &left)) != CFX_OK) goto failed;
    dt = overstep ? 2 * left : substeps || solver_dt < left ? solver_dt : left;
    if ((rc = cfx_read(app, "m", "in", overstep ? left : dt, NULL)) != CFX_OK) goto failed;
    memcpy(out, in, (size_t)count * sizeof *out);
    if ((rc = cfx_advance(app, dt)) != CFX_OK) goto failed;
    t += dt;
  }
  cfx_close(app);
  printf("bye\n");
  return 0;
failed:
  fprintf(stderr, "ERROR (%s): %s\n", cfx_error_name(rc), cfx_last_error());
  cfx_close(app);
  return 1;
}
