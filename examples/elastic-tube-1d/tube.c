/* tube.c: the fluid and the wall of the 1-D elastic tube (see tube.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tube.h"

static char last_error[256] = "no error";

const char *tube_last_error(void) { return last_error; }

static int fail(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(last_error, sizeof last_error, format, arguments);
  va_end(arguments);
  return -1;
}

static const double PI = 3.14159265358979323846;

double tube_reference_radius(void) { return 1.0 / sqrt(PI); }

double tube_reference_area(void) {
  double r0 = tube_reference_radius();
  return PI * r0 * r0;
}

double tube_wave_speed_squared(void) { return TUBE_YOUNG_MODULUS / (2.0 * tube_reference_radius()); }

double tube_inlet_velocity(double t) {
  return TUBE_MEAN_VELOCITY + TUBE_VELOCITY_AMPLITUDE * sin(TUBE_VELOCITY_FREQUENCY * PI * t);
}

void tube_wall_area(int count, const double *pressure, double *area) {
  double stiffness = 2.0 * tube_wave_speed_squared(), a0 = tube_reference_area();
  double reference = (TUBE_OUTLET_PRESSURE - stiffness) * (TUBE_OUTLET_PRESSURE - stiffness);
  for (int node = 0; node < count; node++) {
    double d = pressure[node] - stiffness;
    area[node] = a0 * reference / (d * d);
  }
}

/* ---- a banded linear system, solved by Gaussian elimination with partial pivoting ---- */

/* Unknowns are interleaved, v_i at 2i and p_i at 2i + 1, so that every equation
 * touches unknowns at most KL columns left and KU right of its own. */
#define KL 4
#define KU 4
#define WIDTH (2 * KL + KU + 1) /* row r holds columns r − KL .. r + KL + KU (room for the pivoting's fill) */

struct tube_fluid {
  int cells, nodes;
  double dx;
  double *state;                      /* velocity, pressure, area: the converged values of the last step */
  double *velocity, *pressure, *area; /* the Newton iterate and the new area */
  double *residual, *band;            /* 2 (N + 1), and 2 (N + 1) × WIDTH */
  int newton_iterations;
};

static double *at(tube_fluid *fluid, int row, int column) { return fluid->band + (long)row * WIDTH + (column - row + KL); }

static void add(tube_fluid *fluid, int row, int column, double value) { *at(fluid, row, column) += value; }

/* Solves band · x = rhs in place (rhs becomes x); destroys band. */
static int solve_band(tube_fluid *fluid, double *rhs) {
  int n = 2 * fluid->nodes;
  for (int k = 0; k < n; k++) {
    int last_row = k + KL < n - 1 ? k + KL : n - 1;
    int last_column = k + KL + KU < n - 1 ? k + KL + KU : n - 1;
    int pivot = k;
    for (int r = k + 1; r <= last_row; r++)
      if (fabs(*at(fluid, r, k)) > fabs(*at(fluid, pivot, k))) pivot = r;
    if (!(fabs(*at(fluid, pivot, k)) > 0.0) || !isfinite(*at(fluid, pivot, k))) {
      return fail("the Newton matrix is singular at unknown %d", k);
    }
    if (pivot != k) {
      for (int c = k; c <= last_column; c++) {
        double swap = *at(fluid, k, c);
        *at(fluid, k, c) = *at(fluid, pivot, c);
        *at(fluid, pivot, c) = swap;
      }
      double swap = rhs[k];
      rhs[k] = rhs[pivot];
      rhs[pivot] = swap;
    }
    double diagonal = *at(fluid, k, k);
    for (int r = k + 1; r <= last_row; r++) {
      double factor = *at(fluid, r, k) / diagonal;
      if (factor == 0.0) continue;
      for (int c = k + 1; c <= last_column; c++) *at(fluid, r, c) -= factor * *at(fluid, k, c);
      *at(fluid, r, k) = 0.0;
      rhs[r] -= factor * rhs[k];
    }
  }
  for (int r = n - 1; r >= 0; r--) {
    int last_column = r + KL + KU < n - 1 ? r + KL + KU : n - 1;
    double sum = rhs[r];
    for (int c = r + 1; c <= last_column; c++) sum -= *at(fluid, r, c) * rhs[c];
    rhs[r] = sum / *at(fluid, r, r);
  }
  return 0;
}

int tube_fluid_create(int cells, double length, tube_fluid **fluid) {
  *fluid = NULL;
  if (cells < 2 || cells > 100000) return fail("the tube needs 2 to 100,000 cells, got %d", cells);
  if (!(length > 0.0) || !isfinite(length)) return fail("the tube's length must be > 0, got %g", length);
  tube_fluid *made = calloc(1, sizeof *made);
  if (made == NULL) return fail("out of memory for the fluid");
  made->cells = cells;
  made->nodes = cells + 1;
  made->dx = length / cells;
  size_t nodes = (size_t)made->nodes;
  made->state = calloc(3 * nodes, sizeof(double));
  made->velocity = calloc(3 * nodes, sizeof(double));
  made->residual = calloc(2 * nodes, sizeof(double));
  made->band = calloc(2 * nodes * WIDTH, sizeof(double));
  if (made->state == NULL || made->velocity == NULL || made->residual == NULL || made->band == NULL) {
    tube_fluid_free(made);
    return fail("out of memory for a fluid of %d cells", cells);
  }
  made->pressure = made->velocity + nodes;
  made->area = made->velocity + 2 * nodes;
  *fluid = made;
  return 0;
}

void tube_fluid_free(tube_fluid *fluid) {
  if (fluid == NULL) return;
  free(fluid->state);
  free(fluid->velocity);
  free(fluid->residual);
  free(fluid->band);
  free(fluid);
}

int tube_fluid_nodes(const tube_fluid *fluid) { return fluid->nodes; }

double tube_fluid_node_x(const tube_fluid *fluid, int node) { return node * fluid->dx; }

double *tube_fluid_state(tube_fluid *fluid) { return fluid->state; }

int tube_fluid_state_size(const tube_fluid *fluid) { return 3 * fluid->nodes; }

const double *tube_fluid_velocity(const tube_fluid *fluid) { return fluid->state; }

const double *tube_fluid_pressure(const tube_fluid *fluid) { return fluid->state + fluid->nodes; }

const double *tube_fluid_area(const tube_fluid *fluid) { return fluid->state + 2 * fluid->nodes; }

int tube_fluid_newton_iterations(const tube_fluid *fluid) { return fluid->newton_iterations; }

void tube_fluid_initialize(tube_fluid *fluid, const double *area) {
  int n = fluid->nodes;
  double *v = fluid->state, *p = v + n, *a = v + 2 * n;
  double inflow = tube_inlet_velocity(0.0) * area[0];
  for (int i = 0; i < n; i++) {
    a[i] = area[i];
    v[i] = inflow / area[i];
    p[i] = 0.0;
  }
}

/*
 * The residual R of the discrete equations at the iterate (velocity,
 * pressure) with the new area A and the old state (v0, p0, A0); Newton solves
 * J δ = R with J = −∂R/∂(v, p) and adds δ.
 *
 * Momentum at an inner node i, the control volume [x_i − dx/2, x_i + dx/2],
 * face areas and velocities averaged from the nodes (the scheme's ¼ factors):
 *   (A0_i v0_i − A_i v_i) dx/τ
 *   − ¼ (A_i + A_{i+1}) (v_i v_{i+1} + v_i²) + ¼ (A_{i−1} + A_i) (v_{i−1} v_i + v_{i−1}²)
 *   + ¼ [(A_{i−1} + A_i) p_{i−1} + (A_{i+1} − A_{i−1}) p_i − (A_i + A_{i+1}) p_{i+1}]
 * Continuity at an inner node i:
 *   (A0_i − A_i) dx/τ + ¼ [(A_{i−1} + A_i)(v_{i−1} + v_i) − (A_i + A_{i+1})(v_i + v_{i+1})]
 */
static double residual(tube_fluid *fluid, double tau, double inlet) {
  int n = fluid->nodes, last = n - 1;
  const double *v0 = fluid->state, *p0 = v0 + n, *a0 = v0 + 2 * n;
  const double *v = fluid->velocity, *p = fluid->pressure, *a = fluid->area;
  double *r = fluid->residual, c2 = tube_wave_speed_squared(), h = fluid->dx / tau;
  for (int i = 1; i < last; i++) {
    double left = 0.25 * (a[i - 1] + a[i]), right = 0.25 * (a[i] + a[i + 1]);
    r[2 * i] = (a0[i] * v0[i] - a[i] * v[i]) * h - right * (v[i] * v[i + 1] + v[i] * v[i]) +
               left * (v[i - 1] * v[i] + v[i - 1] * v[i - 1]) + left * p[i - 1] +
               0.25 * (a[i + 1] - a[i - 1]) * p[i] - right * p[i + 1];
    r[2 * i + 1] = (a0[i] - a[i]) * h + left * (v[i - 1] + v[i]) - right * (v[i] + v[i + 1]);
  }
  r[0] = inlet - v[0];                                  /* the inlet velocity is given */
  r[1] = -p[0] + 2.0 * p[1] - p[2];                     /* the inlet pressure, extrapolated linearly */
  r[2 * last] = -v[last] + 2.0 * v[last - 1] - v[last - 2]; /* the outlet velocity, likewise */
  double s = sqrt(c2 - p0[last] / 2.0) - (v[last] - v0[last]) / 4.0;
  r[2 * last + 1] = -p[last] + 2.0 * (c2 - s * s); /* the outlet pressure, non-reflecting */
  double norm_r = 0.0, norm_x = 0.0;
  for (int k = 0; k < 2 * n; k++) norm_r += r[k] * r[k];
  for (int i = 0; i < n; i++) norm_x += v[i] * v[i] + p[i] * p[i];
  return sqrt(norm_r) / sqrt(norm_x);
}

/* J = −∂R/∂(v, p) at the iterate, into the band. */
static void jacobian(tube_fluid *fluid, double tau) {
  int n = fluid->nodes, last = n - 1;
  const double *v0 = fluid->state, *p0 = v0 + n;
  const double *v = fluid->velocity, *a = fluid->area;
  double c2 = tube_wave_speed_squared(), h = fluid->dx / tau;
  memset(fluid->band, 0, sizeof(double) * 2 * (size_t)n * WIDTH);
  for (int i = 1; i < last; i++) {
    double left = 0.25 * (a[i - 1] + a[i]), right = 0.25 * (a[i] + a[i + 1]);
    int m = 2 * i, c = 2 * i + 1; /* the momentum and continuity rows of node i */
    add(fluid, m, 2 * (i - 1), -left * (v[i] + 2.0 * v[i - 1]));
    add(fluid, m, 2 * i, a[i] * h + right * (v[i + 1] + 2.0 * v[i]) - left * v[i - 1]);
    add(fluid, m, 2 * (i + 1), right * v[i]);
    add(fluid, m, 2 * (i - 1) + 1, -left);
    add(fluid, m, 2 * i + 1, -0.25 * (a[i + 1] - a[i - 1]));
    add(fluid, m, 2 * (i + 1) + 1, right);
    add(fluid, c, 2 * (i - 1), -left);
    add(fluid, c, 2 * i, right - left);
    add(fluid, c, 2 * (i + 1), right);
  }
  add(fluid, 0, 0, 1.0);
  add(fluid, 1, 1, 1.0);
  add(fluid, 1, 3, -2.0);
  add(fluid, 1, 5, 1.0);
  add(fluid, 2 * last, 2 * last, 1.0);
  add(fluid, 2 * last, 2 * (last - 1), -2.0);
  add(fluid, 2 * last, 2 * (last - 2), 1.0);
  add(fluid, 2 * last + 1, 2 * last + 1, 1.0);
  add(fluid, 2 * last + 1, 2 * last, -(sqrt(c2 - p0[last] / 2.0) - (v[last] - v0[last]) / 4.0));
}

int tube_fluid_step(tube_fluid *fluid, double dt, double t_new, const double *area) {
  int n = fluid->nodes;
  if (!(dt > 0.0) || !isfinite(dt)) return fail("the fluid's step needs dt > 0, got %g", dt);
  for (int i = 0; i < n; i++) {
    if (!(area[i] > 0.0) || !isfinite(area[i])) return fail("the area at node %d is %g", i, area[i]);
  }
  /* Newton from the last state, with the new area. */
  memcpy(fluid->velocity, fluid->state, sizeof(double) * 2 * (size_t)n);
  memcpy(fluid->area, area, sizeof(double) * (size_t)n);
  double inlet = tube_inlet_velocity(t_new);
  for (int k = 1;; k++) {
    double norm = residual(fluid, dt, inlet);
    if (!isfinite(norm)) return fail("the fluid's Newton iteration %d has a residual of %g", k, norm);
    if (norm < 1e-10 && k > 1) {
      fluid->newton_iterations = k - 1;
      break;
    }
    if (k > 1000) return fail("the fluid's Newton method did not converge in 1000 iterations (residual %g)", norm);
    jacobian(fluid, dt);
    if (solve_band(fluid, fluid->residual) != 0) return -1;
    for (int i = 0; i < n; i++) {
      fluid->velocity[i] += fluid->residual[2 * i];
      fluid->pressure[i] += fluid->residual[2 * i + 1];
    }
  }
  memcpy(fluid->state, fluid->velocity, sizeof(double) * 3 * (size_t)n);
  return 0;
}
