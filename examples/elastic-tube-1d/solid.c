/* The wall of the 1-D elastic tube in C, a Conflux component on the conflux C
 * client (clients/c) with the tube law of tube.c: the same wall as solid.py
 * (tube_wall.py), for timing the coupling with both components in C, as the
 * tube runs through preCICE (precice/solid_precice.c). It goes second in every
 * window: it reads the pressure the fluid wrote at the window's end and writes
 * the cross-sectional area.
 *
 * args: cells (100, as the tutorial).
 *
 * Build with `make` in this directory. */
#include <stdio.h>

#include "conflux.h"
#include "tube.h"

int main(void) {
  cfx_component *app = NULL;
  cfx_mesh *mesh = NULL;
  double *coordinates, *pressure, *area;
  int cells, rc;

  rc = cfx_connect(&app);
  if (rc != CFX_OK) {
    fprintf(stderr, "ERROR: cfx_connect() failed: %s\n", cfx_last_error());
    return 1;
  }
  if ((rc = cfx_arg_int(app, "cells", 100, &cells)) != CFX_OK) goto client_error;
  if (cells < 2 || cells > 100000) {
    fprintf(stderr, "ERROR: Solid: args.cells must be a whole number from 2 to 100,000, got %d\n", cells);
    cfx_close(app);
    return 1;
  }
  int nodes = cells + 1;
  rc = cfx_share_mesh(app, "nodes", 2, nodes, CFX_LAYOUT_SOA, "pressure,cross_section", &mesh);
  if (rc != CFX_OK) goto client_error;
  cfx_mesh_coordinates(mesh, &coordinates);
  cfx_mesh_field(mesh, "pressure", &pressure);
  cfx_mesh_field(mesh, "cross_section", &area);
  for (int i = 0; i < nodes; i++) {
    coordinates[i] = TUBE_LENGTH * i / cells;
    coordinates[nodes + i] = 0.0;
    area[i] = tube_reference_area(); /* the initial area, which the fluid reads first */
  }
  if ((rc = cfx_ready(app)) != CFX_OK) goto client_error;

  double t = 0.0, checkpoint_t = 0.0;
  int ongoing, required;
  for (;;) {
    if ((rc = cfx_is_coupling_ongoing(app, &ongoing)) != CFX_OK) goto client_error;
    if (!ongoing) break;
    /* The wall has no state, but it answers the checkpoint requests with its time. */
    if ((rc = cfx_requires_writing_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      checkpoint_t = t;
      if ((rc = cfx_checkpoint_written(app, t)) != CFX_OK) goto client_error;
    }
    if ((rc = cfx_requires_reading_checkpoint(app, &required)) != CFX_OK) goto client_error;
    if (required) {
      t = checkpoint_t;
      if ((rc = cfx_checkpoint_restored(app, t)) != CFX_OK) goto client_error;
    }
    double dt;
    if ((rc = cfx_max_time_step(app, &dt)) != CFX_OK) goto client_error; /* one step a window, as the tutorial */
    if ((rc = cfx_read(app, "nodes", "pressure", dt, pressure)) != CFX_OK) goto client_error;
    tube_wall_area(nodes, pressure, area);
    if ((rc = cfx_advance(app, dt)) != CFX_OK) goto client_error;
    t += dt;
  }
  cfx_close(app);
  return 0;

client_error:
  fprintf(stderr, "ERROR: Solid failed (%s): %s\n", cfx_error_name(rc), cfx_last_error());
  cfx_close(app);
  return 1;
}
