/* heat_dirichlet.c: the Dirichlet side of the partitioned heat case (see
 * heat.h): [0, 1] × [0, 1], u given on the whole boundary, the interface
 * column from the coupling; returns ∂u/∂x on the interface. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heat.h"

struct heat_dirichlet {
  heat_grid grid;
  double *values;    /* nx × ny nodes */
  double *unknowns;  /* the interior nodes, (nx − 2) × (ny − 2), in rows of constant j */
  heat_band matrix;  /* I/dt − Δ_h on the interior, factored for `factored_dt` */
  double factored_dt;
};

int heat_dirichlet_create(int nx, int ny, heat_dirichlet **side) {
  *side = NULL;
  if (nx < 3 || ny < 3 || nx > 4097 || ny > 4097) {
    return heat_fail("the Dirichlet grid needs 3 to 4097 nodes each way, got %d × %d", nx, ny);
  }
  heat_dirichlet *made = calloc(1, sizeof *made);
  if (made == NULL) return heat_fail("out of memory for the Dirichlet side");
  made->grid = (heat_grid){nx, ny, 0.0, 1.0 / (nx - 1), 1.0 / (ny - 1)};
  made->values = calloc((size_t)nx * (size_t)ny, sizeof *made->values);
  made->unknowns = calloc((size_t)(nx - 2) * (size_t)(ny - 2), sizeof *made->unknowns);
  if (made->values == NULL || made->unknowns == NULL ||
      heat_band_create(&made->matrix, (nx - 2) * (ny - 2), nx - 2) != 0) {
    heat_dirichlet_free(made);
    return heat_fail("out of memory for a Dirichlet grid of %d × %d nodes", nx, ny);
  }
  made->factored_dt = 0.0;
  *side = made;
  return 0;
}

void heat_dirichlet_free(heat_dirichlet *side) {
  if (side == NULL) return;
  free(side->values);
  free(side->unknowns);
  heat_band_free(&side->matrix);
  free(side);
}

const heat_grid *heat_dirichlet_grid(const heat_dirichlet *side) { return &side->grid; }

double *heat_dirichlet_values(heat_dirichlet *side) { return side->values; }

void heat_dirichlet_initialize(heat_dirichlet *side, double t) {
  const heat_grid *g = &side->grid;
  for (int j = 0; j < g->ny; j++)
    for (int i = 0; i < g->nx; i++) side->values[j * g->nx + i] = heat_exact(heat_grid_x(g, i), heat_grid_y(g, j), t);
}

/* Assembles and factors I/dt − Δ_h over the interior nodes. */
static int factor(heat_dirichlet *side, double dt) {
  const heat_grid *g = &side->grid;
  int m = g->nx - 2, rows = g->ny - 2;
  double cx = 1.0 / (g->hx * g->hx), cy = 1.0 / (g->hy * g->hy);
  heat_band_zero(&side->matrix);
  for (int j = 0; j < rows; j++) {
    for (int i = 0; i < m; i++) {
      int k = j * m + i;
      heat_band_set(&side->matrix, k, k, 1.0 / dt + 2.0 * cx + 2.0 * cy);
      if (i > 0) heat_band_set(&side->matrix, k, k - 1, -cx);
      if (i < m - 1) heat_band_set(&side->matrix, k, k + 1, -cx);
      if (j > 0) heat_band_set(&side->matrix, k, k - m, -cy);
      if (j < rows - 1) heat_band_set(&side->matrix, k, k + m, -cy);
    }
  }
  if (heat_band_factor(&side->matrix) != 0) return -1;
  side->factored_dt = dt;
  return 0;
}

int heat_dirichlet_step(heat_dirichlet *side, double dt, double t_new, const double *temperature, double *flux) {
  const heat_grid *g = &side->grid;
  int nx = g->nx, ny = g->ny, m = nx - 2;
  if (!(dt > 0.0) || !isfinite(dt)) return heat_fail("the Dirichlet step needs dt > 0, got %g", dt);
  for (int j = 0; j < ny; j++) {
    if (!isfinite(temperature[j])) return heat_fail("the interface temperature at node %d is %g", j, temperature[j]);
  }
  if (dt != side->factored_dt && factor(side, dt) != 0) return -1;
  double cx = 1.0 / (g->hx * g->hx), cy = 1.0 / (g->hy * g->hy), f = heat_source();
  double *u = side->values;
  /* The boundary at t_new: the outer sides from u, the interface column from the coupling. */
  for (int i = 0; i < nx - 1; i++) {
    u[i] = heat_exact(heat_grid_x(g, i), 0.0, t_new);
    u[(ny - 1) * nx + i] = heat_exact(heat_grid_x(g, i), 1.0, t_new);
  }
  for (int j = 0; j < ny; j++) {
    u[j * nx] = heat_exact(0.0, heat_grid_y(g, j), t_new);
    u[j * nx + nx - 1] = temperature[j];
  }
  /* Right-hand side: u_old / dt + f, plus the known boundary neighbours. */
  for (int j = 1; j < ny - 1; j++) {
    for (int i = 1; i < nx - 1; i++) {
      double b = u[j * nx + i] / dt + f;
      if (i == 1) b += cx * u[j * nx];
      if (i == nx - 2) b += cx * u[j * nx + nx - 1];
      if (j == 1) b += cy * u[i];
      if (j == ny - 2) b += cy * u[(ny - 1) * nx + i];
      side->unknowns[(j - 1) * m + (i - 1)] = b;
    }
  }
  heat_band_solve(&side->matrix, side->unknowns);
  for (int j = 1; j < ny - 1; j++)
    memcpy(u + j * nx + 1, side->unknowns + (j - 1) * m, sizeof *u * (size_t)m);
  if (flux != NULL) heat_dirichlet_flux(side, flux);
  return 0;
}

void heat_dirichlet_flux(const heat_dirichlet *side, double *flux) {
  const heat_grid *g = &side->grid;
  int nx = g->nx;
  const double *u = side->values;
  /* (3 u_N − 4 u_{N−1} + u_{N−2}) / (2 h): exact for quadratics in x. */
  for (int j = 0; j < g->ny; j++) {
    const double *row = u + j * nx;
    flux[j] = (3.0 * row[nx - 1] - 4.0 * row[nx - 2] + row[nx - 3]) / (2.0 * g->hx);
  }
}
