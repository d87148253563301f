/* heat.h: the numerics of the partitioned heat conduction case, in C, apart
 * from any coupling library.
 *
 *   u_t = Δu + f  on [0,2]×[0,1],  u = 1 + x² + α y² + β t,  f = β − 2 − 2α,
 *   α = 3, β = 1.2.
 *
 * The left half [0,1]×[0,1] is the Dirichlet side: u = u_exact on its outer
 * boundary, u = the received temperature on the interface x = 1; it returns
 * the heat flux ∂u/∂x on the interface. The right half [1,2]×[0,1] is the
 * Neumann side: u = u_exact on its outer boundary, ∂u/∂x = the received flux on
 * the interface; it returns the interface temperature. Both sides are finite
 * differences on a uniform grid of nx × ny nodes, backward Euler in time and
 * the 5-point Laplacian in space, which are exact for this solution (linear in
 * t, quadratic in x and y); the flux is the second-order one-sided difference
 * (Dirichlet side) and the interface condition a ghost point eliminated with
 * the central difference (Neumann side), both exact for quadratics. So with
 * exact interface data, or once a coupling has converged, the nodal values are
 * u_exact to rounding.
 *
 * Node (i, j), i along x, j along y, is values[j * nx + i]. The interface is
 * column i = nx − 1 of the Dirichlet grid and column i = 0 of the Neumann grid;
 * interface arrays hold its ny nodes from y = 0 to y = 1.
 *
 * Every function that can fail returns 0 on success and -1 otherwise, with the
 * reason in heat_last_error(). Nothing here prints or exits.
 */
#ifndef HEAT_H
#define HEAT_H

#ifdef __cplusplus
extern "C" {
#endif

#define HEAT_ALPHA 3.0
#define HEAT_BETA 1.2

/** The manufactured solution u(x, y, t). */
double heat_exact(double x, double y, double t);
/** The source f = u_t − Δu, a constant. */
double heat_source(void);
/** The exact heat flux ∂u/∂x at (x, y, t). */
double heat_exact_flux(double x, double y, double t);
/** What the last failing call said; never NULL. */
const char *heat_last_error(void);

/** A uniform grid of nx × ny nodes on [x0, x0 + 1] × [0, 1]. */
typedef struct heat_grid {
  int nx, ny;
  double x0, hx, hy;
} heat_grid;

double heat_grid_x(const heat_grid *grid, int i);
double heat_grid_y(const heat_grid *grid, int j);
/** Relative discrete L2 error of `values` (nx × ny nodes) against u at time t: ‖u_h − u‖₂ / ‖u‖₂ over all nodes. */
double heat_relative_error(const heat_grid *grid, const double *values, double t);

/** The Dirichlet side on [0, 1] × [0, 1]. */
typedef struct heat_dirichlet heat_dirichlet;
int heat_dirichlet_create(int nx, int ny, heat_dirichlet **side);
void heat_dirichlet_free(heat_dirichlet *side);
const heat_grid *heat_dirichlet_grid(const heat_dirichlet *side);
/** The nx × ny nodal values, the solver's whole state (copy them to checkpoint, copy them back to restore). */
double *heat_dirichlet_values(heat_dirichlet *side);
/** Sets every node to u(x, y, t). */
void heat_dirichlet_initialize(heat_dirichlet *side, double t);
/**
 * One backward Euler step of size dt to t_new = t + dt: the outer boundary
 * gets u(·, t_new), the interface column `temperature` (ny values); the new
 * interface flux ∂u/∂x goes to `flux` (ny values; may be NULL).
 */
int heat_dirichlet_step(heat_dirichlet *side, double dt, double t_new, const double *temperature, double *flux);
/** The interface flux ∂u/∂x of the current values, second-order one-sided (ny values). */
void heat_dirichlet_flux(const heat_dirichlet *side, double *flux);

/** The Neumann side on [1, 2] × [0, 1]. */
typedef struct heat_neumann heat_neumann;
int heat_neumann_create(int nx, int ny, heat_neumann **side);
void heat_neumann_free(heat_neumann *side);
const heat_grid *heat_neumann_grid(const heat_neumann *side);
double *heat_neumann_values(heat_neumann *side);
void heat_neumann_initialize(heat_neumann *side, double t);
/**
 * One backward Euler step of size dt to t_new: the outer boundary gets
 * u(·, t_new), the interface ∂u/∂x = `flux` (ny values; its two corner values
 * are not used, the corners being on the outer boundary); the new interface
 * temperature goes to `temperature` (ny values; may be NULL).
 */
int heat_neumann_step(heat_neumann *side, double dt, double t_new, const double *flux, double *temperature);
/** The interface temperature of the current values (ny values). */
void heat_neumann_temperature(const heat_neumann *side, double *temperature);

/* ---- shared by both sides ---------------------------------------------- */

/**
 * A banded matrix of order n with half-bandwidth b, factored without pivoting
 * (both sides' matrices are strictly diagonally dominant by rows, for which
 * Gaussian elimination without pivoting is stable).
 */
typedef struct heat_band {
  int n, b;
  double *a; /* row r, column c (|r − c| ≤ b) at a[r * (2b + 1) + (c − r + b)] */
} heat_band;

int heat_band_create(heat_band *band, int n, int b);
void heat_band_free(heat_band *band);
void heat_band_zero(heat_band *band);
void heat_band_set(heat_band *band, int row, int column, double value);
/** LU in place; -1 on a zero pivot. */
int heat_band_factor(heat_band *band);
/** Solves with the factors, `x` holds the right-hand side on entry. */
void heat_band_solve(const heat_band *band, double *x);
/** Records the reason for a failure (printf-style) for heat_last_error(); returns -1. */
int heat_fail(const char *format, ...);

#ifdef __cplusplus
}
#endif

#endif /* HEAT_H */
