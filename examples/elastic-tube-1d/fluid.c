/* The fluid of the 1-D elastic tube, a Conflux component written in C on the
 * conflux C client (clients/c), with the numerics of tube.c. It goes first in
 * every window: it reads the wall's cross-sectional area at the window's end,
 * takes one implicit Euler step (Newton), and writes the pressure.
 *
 * args: cells (100, as the tutorial), output (a file name: the state after
 * every window, as CSV rows "window,t,x,velocity,pressure,cross_section";
 * absent: no file). When Newton fails (a non-physical area, no convergence),
 * the fluid says why on stderr and writes NaN for the pressure, as the
 * tutorial's fluid does, so the coupling sees values that are not finite.
 *
 * Build with `make` in this directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflux.h"
#include "tube.h"

/*
 * The string under `key` in the component's args (a flat JSON object), into
 * `out`: 1 when found, 0 when absent, -1 when it is not a plain string that
 * fits (\u escapes are not supported).
 */
static int arg_string(const char *json, const char *key, char *out, size_t size) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  for (const char *at = strstr(json, quoted); at != NULL; at = strstr(at + 1, quoted)) {
    const char *p = at + strlen(quoted);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p != ':') continue; /* a value that happens to be the key's text */
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p != '"') return -1;
    size_t length = 0;
    for (p++; *p != '"'; p++) {
      char c = *p;
      if (c == '\0') return -1;
      if (c == '\\') {
        c = *++p;
        if (c == 'n') c = '\n';
        else if (c == 't') c = '\t';
        else if (c != '"' && c != '\\' && c != '/') return -1;
      }
      if (length + 1 >= size) return -1;
      out[length++] = c;
    }
    out[length] = '\0';
    return 1;
  }
  return 0;
}

static void write_state(FILE *output, int window, double t, const tube_fluid *fluid) {
  const double *v = tube_fluid_velocity(fluid), *p = tube_fluid_pressure(fluid), *a = tube_fluid_area(fluid);
  for (int i = 0; i < tube_fluid_nodes(fluid); i++)
    fprintf(output, "%d,%.10g,%.10g,%.17g,%.17g,%.17g\n", window, t, tube_fluid_node_x(fluid, i), v[i], p[i], a[i]);
}

int main(void) {
  cfx_component *app = NULL;
  cfx_mesh *mesh = NULL;
  tube_fluid *fluid = NULL;
  FILE *output = NULL;
  double *coordinates, *pressure, *area = NULL, *checkpoint = NULL;
  int cells, rc;
  char output_name[4096];

  rc = cfx_connect(&app);
  if (rc != CFX_OK) {
    fprintf(stderr, "ERROR: cfx_connect() failed: %s\n", cfx_last_error());
    return 1;
  }
  if ((rc = cfx_arg_int(app, "cells", 100, &cells)) != CFX_OK) goto client_error;
  int named = arg_string(cfx_component_args(app), "output", output_name, sizeof output_name);
  if (named < 0) {
    fprintf(stderr, "ERROR: Fluid: args.output must be a file name (a plain JSON string)\n");
    goto fail;
  }
  if (named == 1 && (output = fopen(output_name, "w")) == NULL) {
    fprintf(stderr, "ERROR: Fluid: cannot write %s\n", output_name);
    goto fail;
  }
  if (output != NULL) fprintf(output, "window,t,x,velocity,pressure,cross_section\n");
  if (tube_fluid_create(cells, TUBE_LENGTH, &fluid) != 0) {
    fprintf(stderr, "ERROR: Fluid: %s\n", tube_last_error());
    goto fail;
  }
  int nodes = tube_fluid_nodes(fluid), size = tube_fluid_state_size(fluid);
  area = malloc(sizeof(double) * (size_t)nodes);
  checkpoint = malloc(sizeof(double) * (size_t)size);
  if (area == NULL || checkpoint == NULL) {
    fprintf(stderr, "ERROR: Fluid: out of memory\n");
    goto fail;
  }

  /* The tube's nodes, on the x axis as in the tutorial. */
  rc = cfx_share_mesh(app, "nodes", 2, nodes, CFX_LAYOUT_SOA, "pressure,cross_section", &mesh);
  if (rc != CFX_OK) goto client_error;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, "pressure", &pressure);
  for (int i = 0; i < nodes; i++) {
    coordinates[i] = tube_fluid_node_x(fluid, i);
    coordinates[nodes + i] = 0.0;
    pressure[i] = TUBE_OUTLET_PRESSURE;
  }
  if ((rc = cfx_ready(app)) != CFX_OK) goto client_error;

  double t = 0.0, checkpoint_t = 0.0, window_end = -1.0; /* of the window attempt under way; -1: none yet */
  int window = 0, ongoing, required, started = 0;
  for (;;) {
    if ((rc = cfx_is_coupling_ongoing(app, &ongoing)) != CFX_OK) goto client_error;
    if (!ongoing) break;
    if (!started) {
      /* The initial state from the wall's initial area (what it wrote before hello). */
      if ((rc = cfx_read(app, "nodes", "cross_section", 0.0, area)) != CFX_OK) goto client_error;
      tube_fluid_initialize(fluid, area);
      started = 1;
    }
    if ((rc = cfx_requires_writing_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      memcpy(checkpoint, tube_fluid_state(fluid), sizeof(double) * (size_t)size);
      checkpoint_t = t;
      if ((rc = cfx_checkpoint_written(app, t)) != CFX_OK) goto client_error;
    }
    if ((rc = cfx_requires_reading_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      memcpy(tube_fluid_state(fluid), checkpoint, sizeof(double) * (size_t)size);
      t = checkpoint_t;
      if ((rc = cfx_checkpoint_restored(app, t)) != CFX_OK) goto client_error;
    }
    double dt;
    if ((rc = cfx_max_time_step(app, &dt)) != CFX_OK) goto client_error; /* one step a window, as the tutorial */
    if (window_end < 0.0 || t >= window_end - 1e-9 * (fabs(t) > 1.0 ? fabs(t) : 1.0)) {
      /* A new window: the one before is over (converged, or its only attempt if explicit). */
      if (window_end >= 0.0 && output != NULL) write_state(output, window++, t, fluid);
      window_end = t + dt;
    }
    if ((rc = cfx_read(app, "nodes", "cross_section", dt, area)) != CFX_OK) goto client_error;
    if (tube_fluid_step(fluid, dt, t + dt, area) == 0) {
      memcpy(pressure, tube_fluid_pressure(fluid), sizeof(double) * (size_t)nodes);
    } else {
      fprintf(stderr, "Fluid: t = %.4f: %s; writing NaN for the pressure\n", t + dt, tube_last_error());
      for (int i = 0; i < nodes; i++) pressure[i] = NAN;
    }
    if ((rc = cfx_advance(app, dt)) != CFX_OK) goto client_error;
    t += dt;
  }
  if (output != NULL) {
    write_state(output, window, t, fluid);
    if (fclose(output) != 0) {
      output = NULL;
      fprintf(stderr, "ERROR: Fluid: writing %s failed\n", output_name);
      goto fail;
    }
  }
  free(area);
  free(checkpoint);
  tube_fluid_free(fluid);
  cfx_close(app);
  return 0;

client_error:
  fprintf(stderr, "ERROR: Fluid failed (%s): %s\n", cfx_error_name(rc), cfx_last_error());
fail:
  if (output != NULL) fclose(output);
  free(area);
  free(checkpoint);
  tube_fluid_free(fluid);
  cfx_close(app);
  return 1;
}
