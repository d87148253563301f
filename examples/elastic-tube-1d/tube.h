/* tube.h: the numerics of the 1-D elastic tube, in C, apart from any coupling
 * library. preCICE's elastic-tube-1d tutorial, with its parameters: an
 * incompressible flow (density 1) through a tube of length L = 10, written as
 * the quasi-one-dimensional continuity and momentum equations for the velocity
 * v(x, t), the pressure p(x, t) and the cross-sectional area A(x, t),
 *
 *     ∂A/∂t + ∂(A v)/∂x = 0,      ∂(A v)/∂t + ∂(A v²)/∂x + A ∂p/∂x = 0,
 *
 * and a wall whose area follows the pressure (the tube law),
 *
 *     A(p) = A0 (2c² − p0)² / (2c² − p)²,   c² = E / (2 r0),
 *
 * with r0 = 1/√π (A0 = 1), E = 10,000, p0 = 0. Inlet velocity
 * v_in(t) = 10 + 3 sin(10πt); the inlet pressure and the outlet velocity are
 * extrapolated linearly, the outlet pressure is non-reflecting. Initially
 * v = 10, p = 0, A = 1.
 *
 * The flow is discretised on N cells (N + 1 nodes, 100 cells by default) with
 * the staggered finite-volume scheme of Degroote et al. (Comput. Struct. 2008)
 * that the tutorial uses, implicit Euler in time, the nonlinear system solved
 * by Newton's method with a banded LU. The fluid (tube_fluid_*) and the wall
 * (tube_wall_area) are the two components of the coupled case.
 *
 * Functions that can fail return 0 on success and -1 otherwise, with the
 * reason in tube_last_error(). Nothing here prints or exits.
 */
#ifndef TUBE_H
#define TUBE_H

#ifdef __cplusplus
extern "C" {
#endif

#define TUBE_LENGTH 10.0
#define TUBE_YOUNG_MODULUS 10000.0
#define TUBE_OUTLET_PRESSURE 0.0
#define TUBE_MEAN_VELOCITY 10.0
#define TUBE_VELOCITY_AMPLITUDE 3.0
#define TUBE_VELOCITY_FREQUENCY 10.0

/** What the last failing call said; never NULL. */
const char *tube_last_error(void);
/** The reference radius r0 = 1/√π and area A0 = π r0² = 1. */
double tube_reference_radius(void);
double tube_reference_area(void);
/** c² = E / (2 r0), the square of the wall's wave speed. */
double tube_wave_speed_squared(void);
/** v_in(t) = 10 + 3 sin(10 π t). */
double tube_inlet_velocity(double t);

/** The tube law: the area of each of `count` nodes from its pressure. */
void tube_wall_area(int count, const double *pressure, double *area);

typedef struct tube_fluid tube_fluid;

/** A fluid on `cells` cells (2 .. 100,000) of a tube of length `length`. */
int tube_fluid_create(int cells, double length, tube_fluid **fluid);
void tube_fluid_free(tube_fluid *fluid);
int tube_fluid_nodes(const tube_fluid *fluid);
double tube_fluid_node_x(const tube_fluid *fluid, int node);
/**
 * Sets the state at t = 0 from the wall's area: p = 0, and v such that the
 * flux A v is the inlet's everywhere (v = v_in(0) A_0 / A).
 */
void tube_fluid_initialize(tube_fluid *fluid, const double *area);
/**
 * The whole state, 3 (N + 1) doubles: velocity, pressure and area of every
 * node, in that order. Copy it to checkpoint, copy it back to restore.
 */
double *tube_fluid_state(tube_fluid *fluid);
int tube_fluid_state_size(const tube_fluid *fluid);
const double *tube_fluid_velocity(const tube_fluid *fluid);
const double *tube_fluid_pressure(const tube_fluid *fluid);
const double *tube_fluid_area(const tube_fluid *fluid);
/**
 * One implicit Euler step of size dt to t_new with the wall's area `area` at
 * t_new (N + 1 values): Newton's method until the residual is below 1e-10
 * relative to the state's norm. On success the state is the new one (the area
 * is `area`); when Newton fails (no convergence in 1000 iterations, a singular
 * matrix, values that are not finite) the state is left as it was.
 */
int tube_fluid_step(tube_fluid *fluid, double dt, double t_new, const double *area);
/** Newton iterations of the last step. */
int tube_fluid_newton_iterations(const tube_fluid *fluid);

#ifdef __cplusplus
}
#endif

#endif /* TUBE_H */
