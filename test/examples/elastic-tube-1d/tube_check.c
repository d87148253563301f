/* Checks the elastic tube's numerics (examples/elastic-tube-1d/tube.c) without
 * any coupling library, coupling the fluid and the wall in this process the
 * way the tutorial's serial schemes do (the fluid first, one step per window).
 *
 *   tube_check rigid CELLS STEPS DT
 *     the fluid alone in a rigid tube (A = 1 everywhere): continuity then
 *     makes the velocity the inlet's at every node. Prints the largest
 *     deviation from v_in(t) over all nodes and steps, and the largest Newton
 *     iteration count.
 *   tube_check wall P...
 *     the wall's area for each pressure given, one JSON array.
 *   tube_check explicit CELLS WINDOWS DT
 *     one fluid step and one wall update per window, the fluid taking the
 *     wall's area of the previous window's end. One JSON line per window (the
 *     largest |p|, whether every value is finite) until the fluid fails or
 *     values stop being finite, then a line saying which.
 *   tube_check implicit CELLS WINDOWS DT METHOD OMEGA LIMIT MAX_ITERATIONS
 *     each window repeated until the pressure changes by at most LIMIT relative
 *     between iterations and the wall's area differs from the one the fluid
 *     read by at most LIMIT relative (preCICE's measures), that area relaxed by
 *     METHOD constant (factor OMEGA) or aitken (starting at OMEGA, the first
 *     iteration of every window at the last window's factor clipped as preCICE
 *     does). One JSON line per window: iterations, the Newton iterations of the
 *     last fluid step, p and A at the middle node. With OUTPUT, the pressure
 *     and the wall's area after every window go there as the example's solid
 *     writes them (CSV rows window,t,x,pressure,cross_section).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tube.h"

static int fail(const char *what) {
  fprintf(stderr, "tube_check: %s: %s\n", what, tube_last_error());
  return 1;
}

static int finite_all(const double *x, int n) {
  for (int i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}

static double max_abs(const double *x, int n) {
  double m = 0;
  for (int i = 0; i < n; i++) m = fabs(x[i]) > m ? fabs(x[i]) : m;
  return m;
}

static double norm(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i] * x[i];
  return sqrt(s);
}

static int rigid_run(int cells, int steps, double dt) {
  tube_fluid *fluid;
  if (tube_fluid_create(cells, TUBE_LENGTH, &fluid) != 0) return fail("fluid");
  int n = tube_fluid_nodes(fluid), newton = 0;
  double *area = malloc(sizeof(double) * (size_t)n), worst = 0;
  for (int i = 0; i < n; i++) area[i] = 1.0;
  tube_fluid_initialize(fluid, area);
  for (int step = 1; step <= steps; step++) {
    if (tube_fluid_step(fluid, dt, step * dt, area) != 0) return fail("fluid step");
    double inlet = tube_inlet_velocity(step * dt);
    for (int i = 0; i < n; i++) {
      double d = fabs(tube_fluid_velocity(fluid)[i] - inlet);
      worst = d > worst ? d : worst;
    }
    if (tube_fluid_newton_iterations(fluid) > newton) newton = tube_fluid_newton_iterations(fluid);
  }
  printf("{\"velocityDeviation\":%.3e,\"newton\":%d,\"finite\":%s}\n", worst, newton,
         finite_all(tube_fluid_state(fluid), tube_fluid_state_size(fluid)) ? "true" : "false");
  tube_fluid_free(fluid);
  free(area);
  return 0;
}

static int explicit_run(int cells, int windows, double dt) {
  tube_fluid *fluid;
  if (tube_fluid_create(cells, TUBE_LENGTH, &fluid) != 0) return fail("fluid");
  int n = tube_fluid_nodes(fluid);
  double *area = malloc(sizeof(double) * (size_t)n), *pressure = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++) area[i] = tube_reference_area();
  tube_fluid_initialize(fluid, area);
  for (int window = 0; window < windows; window++) {
    if (tube_fluid_step(fluid, dt, (window + 1) * dt, area) != 0) {
      printf("{\"window\":%d,\"stopped\":\"fluid\",\"reason\":\"%s\"}\n", window, tube_last_error());
      return 0;
    }
    memcpy(pressure, tube_fluid_pressure(fluid), sizeof(double) * (size_t)n);
    tube_wall_area(n, pressure, area);
    int finite = finite_all(pressure, n) && finite_all(area, n);
    printf("{\"window\":%d,\"maxPressure\":%.6e,\"finite\":%s}\n", window, max_abs(pressure, n),
           finite ? "true" : "false");
    if (!finite) {
      printf("{\"window\":%d,\"stopped\":\"non-finite\"}\n", window);
      return 0;
    }
  }
  printf("{\"window\":%d,\"stopped\":\"end\"}\n", windows);
  tube_fluid_free(fluid);
  free(area), free(pressure);
  return 0;
}

static int implicit_run(int cells, int windows, double dt, const char *method, double omega0, double limit,
                        int max_iterations, const char *output_name) {
  FILE *output = NULL;
  if (output_name != NULL) {
    if ((output = fopen(output_name, "w")) == NULL) {
      fprintf(stderr, "tube_check: cannot write %s\n", output_name);
      return 1;
    }
    fprintf(output, "window,t,x,pressure,cross_section\n");
  }
  tube_fluid *fluid;
  if (tube_fluid_create(cells, TUBE_LENGTH, &fluid) != 0) return fail("fluid");
  int n = tube_fluid_nodes(fluid), aitken = strcmp(method, "aitken") == 0;
  size_t bytes = sizeof(double) * (size_t)n;
  double *area = malloc(bytes), *new_area = malloc(bytes), *pressure = malloc(bytes), *previous_pressure = malloc(bytes);
  double *residual = malloc(bytes), *previous_residual = malloc(bytes);
  double *checkpoint = malloc(sizeof(double) * (size_t)tube_fluid_state_size(fluid));
  for (int i = 0; i < n; i++) area[i] = tube_reference_area();
  tube_fluid_initialize(fluid, area);
  double omega = omega0;
  for (int window = 0; window < windows; window++) {
    memcpy(checkpoint, tube_fluid_state(fluid), sizeof(double) * (size_t)tube_fluid_state_size(fluid));
    int iteration = 0;
    /* preCICE's Aitken: the first iteration of a window uses the sign of the last factor and at most |omega0|. */
    if (aitken) omega = (omega > 0 ? 1 : -1) * (fabs(omega) < omega0 ? fabs(omega) : omega0);
    for (;; iteration++) {
      if (iteration > 0) memcpy(tube_fluid_state(fluid), checkpoint, sizeof(double) * (size_t)tube_fluid_state_size(fluid));
      if (tube_fluid_step(fluid, dt, (window + 1) * dt, area) != 0) return fail("fluid step");
      memcpy(pressure, tube_fluid_pressure(fluid), bytes);
      tube_wall_area(n, pressure, new_area);
      for (int i = 0; i < n; i++) residual[i] = new_area[i] - area[i];
      /* As preCICE measures: the pressure against its previous iteration, the accelerated area against
       * the (relaxed) area the fluid read, i.e. the residual. */
      double change_p = 0, change_a = 0;
      for (int i = 0; i < n; i++) {
        change_p += (pressure[i] - previous_pressure[i]) * (pressure[i] - previous_pressure[i]);
        change_a += residual[i] * residual[i];
      }
      int converged = iteration > 0 && sqrt(change_p) <= limit * norm(pressure, n) &&
                      sqrt(change_a) <= limit * norm(new_area, n);
      memcpy(previous_pressure, pressure, bytes);
      if (converged || iteration + 1 >= max_iterations) {
        memcpy(area, new_area, bytes);
        break;
      }
      if (aitken && iteration > 0) {
        double numerator = 0, denominator = 0;
        for (int i = 0; i < n; i++) {
          double d = residual[i] - previous_residual[i];
          numerator += previous_residual[i] * d;
          denominator += d * d;
        }
        omega = -omega * numerator / denominator;
      }
      memcpy(previous_residual, residual, bytes);
      for (int i = 0; i < n; i++) area[i] += omega * residual[i];
    }
    for (int i = 0; output != NULL && i < n; i++)
      fprintf(output, "%d,%.10g,%.10g,%.17g,%.17g\n", window, (window + 1) * dt, tube_fluid_node_x(fluid, i),
              pressure[i], area[i]);
    printf("{\"window\":%d,\"iterations\":%d,\"newton\":%d,\"middlePressure\":%.9e,\"middleArea\":%.9e}\n", window,
           iteration + 1, tube_fluid_newton_iterations(fluid), tube_fluid_pressure(fluid)[n / 2], area[n / 2]);
  }
  if (output != NULL) fclose(output);
  tube_fluid_free(fluid);
  free(area), free(new_area), free(pressure), free(previous_pressure), free(residual), free(previous_residual),
      free(checkpoint);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "rigid") == 0) return rigid_run(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
  if (argc >= 3 && strcmp(argv[1], "wall") == 0) {
    int count = argc - 2;
    double *pressure = malloc(sizeof(double) * (size_t)count), *area = malloc(sizeof(double) * (size_t)count);
    for (int i = 0; i < count; i++) pressure[i] = atof(argv[2 + i]);
    tube_wall_area(count, pressure, area);
    for (int i = 0; i < count; i++) printf("%s%.17g", i ? "," : "[", area[i]);
    printf("]\n");
    free(pressure), free(area);
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "explicit") == 0) return explicit_run(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
  if ((argc == 9 || argc == 10) && strcmp(argv[1], "implicit") == 0)
    return implicit_run(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), argv[5], atof(argv[6]), atof(argv[7]),
                        atoi(argv[8]), argc == 10 ? argv[9] : NULL);
  fprintf(stderr,
          "usage: tube_check rigid CELLS STEPS DT | wall P... | explicit CELLS WINDOWS DT | implicit CELLS WINDOWS DT METHOD OMEGA LIMIT MAX [OUTPUT]\n");
  return 2;
}
