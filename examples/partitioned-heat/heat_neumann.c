/* heat_neumann.c: the Neumann side of the partitioned heat case (see heat.h):
 * [1, 2] × [0, 1], u given on the outer boundary, ∂u/∂x from the coupling on
 * the interface x = 1; returns the interface temperature. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heat.h"

struct heat_neumann {
  heat_grid grid;
  double *values;   /* nx × ny nodes */
  double *unknowns; /* columns i = 0 .. nx − 2 of rows j = 1 .. ny − 2: (nx − 1) × (ny − 2) */
  heat_band matrix; /* I/dt − Δ_h with the interface ghost points eliminated, factored for `factored_dt` */
  double factored_dt;
};

int heat_neumann_create(int nx, int ny, heat_neumann **side) {
  *side = NULL;
  if (nx < 3 || ny < 3 || nx > 4097 || ny > 4097) {
    return heat_fail("the Neumann grid needs 3 to 4097 nodes each way, got %d × %d", nx, ny);
  }
  heat_neumann *made = calloc(1, sizeof *made);
  if (made == NULL) return heat_fail("out of memory for the Neumann side");
  made->grid = (heat_grid){nx, ny, 1.0, 1.0 / (nx - 1), 1.0 / (ny - 1)};
  made->values = calloc((size_t)nx * (size_t)ny, sizeof *made->values);
  made->unknowns = calloc((size_t)(nx - 1) * (size_t)(ny - 2), sizeof *made->unknowns);
  if (made->values == NULL || made->unknowns == NULL ||
      heat_band_create(&made->matrix, (nx - 1) * (ny - 2), nx - 1) != 0) {
    heat_neumann_free(made);
    return heat_fail("out of memory for a Neumann grid of %d × %d nodes", nx, ny);
  }
  made->factored_dt = 0.0;
  *side = made;
  return 0;
}

void heat_neumann_free(heat_neumann *side) {
  if (side == NULL) return;
  free(side->values);
  free(side->unknowns);
  heat_band_free(&side->matrix);
  free(side);
}

const heat_grid *heat_neumann_grid(const heat_neumann *side) { return &side->grid; }

double *heat_neumann_values(heat_neumann *side) { return side->values; }

void heat_neumann_initialize(heat_neumann *side, double t) {
  const heat_grid *g = &side->grid;
  for (int j = 0; j < g->ny; j++)
    for (int i = 0; i < g->nx; i++) side->values[j * g->nx + i] = heat_exact(heat_grid_x(g, i), heat_grid_y(g, j), t);
}

/*
 * I/dt − Δ_h over columns 0 .. nx − 2. At the interface (i = 0) the ghost node
 * left of it is u_{−1} = u_1 − 2 hx g (the central difference of ∂u/∂x = g,
 * exact for quadratics), so its x-part of the Laplacian is (2 u_1 − 2 u_0 − 2 hx g) / hx².
 */
static int factor(heat_neumann *side, double dt) {
  const heat_grid *g = &side->grid;
  int m = g->nx - 1, rows = g->ny - 2;
  double cx = 1.0 / (g->hx * g->hx), cy = 1.0 / (g->hy * g->hy);
  heat_band_zero(&side->matrix);
  for (int j = 0; j < rows; j++) {
    for (int i = 0; i < m; i++) {
      int k = j * m + i;
      heat_band_set(&side->matrix, k, k, 1.0 / dt + 2.0 * cx + 2.0 * cy);
      if (i == 0) heat_band_set(&side->matrix, k, k + 1, -2.0 * cx);
      if (i > 0) heat_band_set(&side->matrix, k, k - 1, -cx);
      if (i > 0 && i < m - 1) heat_band_set(&side->matrix, k, k + 1, -cx);
      if (j > 0) heat_band_set(&side->matrix, k, k - m, -cy);
      if (j < rows - 1) heat_band_set(&side->matrix, k, k + m, -cy);
    }
  }
  if (heat_band_factor(&side->matrix) != 0) return -1;
  side->factored_dt = dt;
  return 0;
}

int heat_neumann_step(heat_neumann *side, double dt, double t_new, const double *flux, double *temperature) {
  const heat_grid *g = &side->grid;
  int nx = g->nx, ny = g->ny, m = nx - 1;
  if (!(dt > 0.0) || !isfinite(dt)) return heat_fail("the Neumann step needs dt > 0, got %g", dt);
  for (int j = 1; j < ny - 1; j++) {
    if (!isfinite(flux[j])) return heat_fail("the interface flux at node %d is %g", j, flux[j]);
  }
  if (dt != side->factored_dt && factor(side, dt) != 0) return -1;
  double cx = 1.0 / (g->hx * g->hx), cy = 1.0 / (g->hy * g->hy), f = heat_source();
  double *u = side->values;
  /* The outer boundary at t_new: bottom and top rows (interface corners included) and the right column. */
  for (int i = 0; i < nx; i++) {
    u[i] = heat_exact(heat_grid_x(g, i), 0.0, t_new);
    u[(ny - 1) * nx + i] = heat_exact(heat_grid_x(g, i), 1.0, t_new);
  }
  for (int j = 1; j < ny - 1; j++) u[j * nx + nx - 1] = heat_exact(heat_grid_x(g, nx - 1), heat_grid_y(g, j), t_new);
  for (int j = 1; j < ny - 1; j++) {
    for (int i = 0; i < nx - 1; i++) {
      double b = u[j * nx + i] / dt + f;
      if (i == 0) b -= 2.0 * flux[j] / g->hx;
      if (i == nx - 2) b += cx * u[j * nx + nx - 1];
      if (j == 1) b += cy * u[i];
      if (j == ny - 2) b += cy * u[(ny - 1) * nx + i];
      side->unknowns[(j - 1) * m + i] = b;
    }
  }
  heat_band_solve(&side->matrix, side->unknowns);
  for (int j = 1; j < ny - 1; j++) memcpy(u + j * nx, side->unknowns + (j - 1) * m, sizeof *u * (size_t)m);
  if (temperature != NULL) heat_neumann_temperature(side, temperature);
  return 0;
}

void heat_neumann_temperature(const heat_neumann *side, double *temperature) {
  const heat_grid *g = &side->grid;
  for (int j = 0; j < g->ny; j++) temperature[j] = side->values[j * g->nx];
}
