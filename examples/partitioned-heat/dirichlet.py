#!/usr/bin/env python3
"""The Dirichlet participant of the partitioned heat case, a Conflux component
written in Python on the conflux client (clients/python/conflux/): the left
half [0, 1] × [0, 1], with the numerics of heat_dirichlet.py. Per substep it
reads the interface temperature the Neumann side sent, takes one backward
Euler step, and writes the interface heat flux ∂u/∂x.

args: nx, ny (nodes per side, 11 × 11 as the tutorial), dt (0.01: ten
substeps in a window of 0.1), error_tolerance (1e-8, the tutorial's; the run
fails when a converged window's relative L2 error against u is above it; 0
turns the check off).

When a window is over (at the start of the next, and at the end) it prints
the relative L2 error of that window's result against u:

    window 3, t = 0.400: relative L2 error = 1.234e-15
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# This conflux's client: `conflux run` puts it on the component's PYTHONPATH, and a component runs only under
# `conflux run` (connect() needs the run it starts), so the script names no path to it of its own.
import conflux

sys.path.insert(0, HERE)
import heat_dirichlet  # noqa: E402  (the numerics, next to this file)


def setting(args: dict, key: str, fallback, kind):
    value = args.get(key, fallback)
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError(f"args.{key} must be a whole number, got {value!r}")
    if kind is float and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        raise ValueError(f"args.{key} must be a number, got {value!r}")
    return kind(value)


def report(window: int, t: float, error: float, tolerance: float) -> None:
    print(f"window {window}, t = {t:.3f}: relative L2 error = {error:.3e}", flush=True)
    if tolerance > 0 and not error < tolerance:
        raise ValueError(f"window {window} ended (t = {t:.3f}) with relative L2 error {error:.3e}, above {tolerance:g}")


def main() -> int:
    try:
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: connect() failed: {error}", file=sys.stderr)
        return 1
    with component:
        try:
            args = component.args
            nx = setting(args, "nx", 11, int)
            ny = setting(args, "ny", 11, int)
            solver_dt = setting(args, "dt", 0.01, float)
            tolerance = setting(args, "error_tolerance", 1e-8, float)
            side = heat_dirichlet.DirichletSide(nx, ny)
            side.initialize(0.0)

            # The interface: the ny nodes of x = 1, from y = 0 to y = 1.
            mesh = component.share_mesh("interface", 2, ny, "soa", ["T", "flux"])
            mesh.coordinates[:ny] = 1.0
            mesh.coordinates[ny:] = side.interface_y
            flux = mesh.field("flux")
            flux[:] = side.flux()  # the initial flux, which the Neumann side reads in the first window
            mesh.field("T")[:] = side.values[:, -1]
            component.ready()

            t = 0.0
            window = 0
            window_end = None  # of the window attempt under way
            checkpoint = None
            while component.is_coupling_ongoing():
                if component.requires_writing_checkpoint():
                    checkpoint = (side.values.copy(), t)
                    component.checkpoint_written(t)
                if component.requires_reading_checkpoint():
                    side.values[:, :], t = checkpoint[0], checkpoint[1]
                    component.checkpoint_restored(t)
                if window_end is None or t >= window_end - 1e-9 * max(1.0, abs(t)):
                    # A new window: the one before is over (converged, or its only attempt if explicit).
                    if window_end is not None:
                        report(window, t, side.relative_error(t), tolerance)
                        window += 1
                    window_end = t + component.max_time_step()
                dt = min(solver_dt, component.max_time_step())
                temperature = component.read("interface", "T", dt)  # at the end of this step
                flux[:] = side.step(dt, t + dt, temperature)
                component.advance(dt)
                t += dt
            report(window, t, side.relative_error(t), tolerance)
        except (conflux.ConfluxError, ValueError) as error:
            print(f"ERROR: Dirichlet failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
