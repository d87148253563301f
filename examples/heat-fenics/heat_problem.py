"""The partitioned heat problem of preCICE's tutorial, apart from any finite
element code (numpy only), shared by the participants whatever FEniCS they run:

    u_t = Δu + f  on [0, 2] × [0, 1],   u = 1 + x² + α y² + β t,   f = β − 2 − 2α,

split at x = 1; α = 3, β = 1.2. Each participant solves its half with P2
Lagrange elements on cells × cells squares, each cut into two triangles
("left" diagonals, as the tutorial), and backward Euler, both exact for this u (quadratic in space,
linear in time), so given exact interface data, or once the coupling has
converged, the discrete solution is u up to the linear solver's rounding.
"""

from __future__ import annotations

import math
import time

import numpy

ALPHA = 3.0
BETA = 1.2
SOURCE = BETA - 2.0 - 2.0 * ALPHA
X_INTERFACE = 1.0


def exact(x, y, t):
    """The manufactured solution u."""
    return 1.0 + x * x + ALPHA * y * y + BETA * t


def on_interface(x):
    """The points on the coupling interface x = 1 (x of shape (3, n) or (2, n))."""
    return numpy.isclose(x[0], X_INTERFACE)


def on_dirichlet_outer_boundary(x):
    """The left half's boundary but the interface's inside: x = 0, and y = 0 or 1. Its corners at x = 1 lie on
    the interface too; the interface's condition comes after this one, so it sets them (to what the Neumann side
    sends there: u, its own boundary condition)."""
    return numpy.isclose(x[0], 0.0) | numpy.isclose(x[1], 0.0) | numpy.isclose(x[1], 1.0)


def on_neumann_outer_boundary(x):
    """The right half's boundary but the interface's inside: x = 2, and y = 0 or 1 (its corners at x = 1 too,
    which take u there, as in the tutorial)."""
    return numpy.isclose(x[0], 2.0) | numpy.isclose(x[1], 0.0) | numpy.isclose(x[1], 1.0)


class Settings:
    """The participant's args (components.<name>.args), checked: cells (9, the tutorial's mesh), degree (2),
    dt (0.01: ten steps in a window of 0.1) and error_tolerance (1e-8, the tutorial's; 0 turns the check off)."""

    def __init__(self, args: dict):
        self.cells = self._number(args, "cells", 9, int, lambda value: 2 <= value <= 256, "2 to 256")
        self.degree = self._number(args, "degree", 2, int, lambda value: 1 <= value <= 4, "1 to 4")
        self.dt = self._number(args, "dt", 0.01, float, lambda value: 0 < value < math.inf, "a time > 0")
        self.error_tolerance = self._number(args, "error_tolerance", 1e-8, float, lambda value: value >= 0, ">= 0")

    @staticmethod
    def _number(args: dict, key: str, fallback, kind, valid, allowed: str):
        value = args.get(key, fallback)
        whole = isinstance(value, int) and not isinstance(value, bool)
        if kind is int and not whole:
            raise ValueError(f"args.{key} must be a whole number ({allowed}), got {value!r}")
        if kind is float and not (whole or isinstance(value, float)):
            raise ValueError(f"args.{key} must be a number ({allowed}), got {value!r}")
        value = kind(value)
        if not valid(value):
            raise ValueError(f"args.{key} must be {allowed}, got {value!r}")
        return value


class Windows:
    """Tells when a window is over, as the component steps: a step that starts at or past the end of the window
    under way begins the next one (the one before has converged, or was its only attempt), and the run's end
    closes the last. Each closed window is reported with its error: one line, and a failure above the tolerance:

        window 3, t = 0.400: relative L2 error = 1.234e-15
    """

    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self.window = 0
        self._end = None

    def step_starts(self, t: float, max_time_step: float, error) -> None:
        """Before a step from t; error(t) is the relative L2 error of the state at t, asked only when a window ends."""
        if self._end is None or t >= self._end - 1e-9 * max(1.0, abs(t)):
            if self._end is not None:
                self._report(t, error(t))
                self.window += 1
            self._end = t + max_time_step

    def run_ends(self, t: float, error) -> None:
        self._report(t, error(t))

    def _report(self, t: float, value: float) -> None:
        print(f"window {self.window}, t = {t:.3f}: relative L2 error = {value:.3e}", flush=True)
        if self.tolerance > 0 and not value < self.tolerance:
            raise ValueError(
                f"window {self.window} ended (t = {t:.3f}) with relative L2 error {value:.3e}, above {self.tolerance:g}"
            )


class Timings:
    """Where a participant's time goes: its FEniCS work (assembly, solves, the flux) and its own coupling calls
    (read, the adapter's copies, advance), apart from the time it waits for the other side. Printed at the end:

        timings: 3300 steps, FEniCS 1.234 s (0.374 ms a step), coupling calls 0.123 s (0.037 ms a step)
    """

    def __init__(self):
        self.steps = 0
        self.fenics = 0.0
        self.fenics_cpu = 0.0
        self.coupling = 0.0

    def summary(self) -> str:
        steps = max(self.steps, 1)
        return (
            f"timings: {self.steps} steps, FEniCS {self.fenics:.3f} s ({1e3 * self.fenics / steps:.3f} ms a step; "
            f"CPU {self.fenics_cpu:.3f} s), "
            f"coupling calls {self.coupling:.3f} s ({1e3 * self.coupling / steps:.3f} ms a step)"
        )


def couple(component, settings: Settings, side, receives: str, send, save, restore) -> None:
    """The coupling loop every participant runs, whatever its FEniCS: per step, read field `receives` of the
    mesh "interface" at the step's end, one solve (side.step), `send()` what the other side reads, advance;
    `save()` returns the state a checkpoint holds and `restore(state)` puts it back. Checks the error in every
    window (Windows) and prints where the time went (Timings) at the end."""
    t = 0.0
    windows = Windows(settings.error_tolerance)
    checkpoint = None
    timings = Timings()
    while component.is_coupling_ongoing():
        if component.requires_writing_checkpoint():
            checkpoint = (save(), t)
            component.checkpoint_written(t)
        if component.requires_reading_checkpoint():
            restore(checkpoint[0])
            t = checkpoint[1]
            component.checkpoint_restored(t)
        windows.step_starts(t, component.max_time_step(), side.relative_error)
        dt = min(settings.dt, component.max_time_step())
        started = time.perf_counter()
        received = component.read("interface", receives, dt)
        solving, solving_cpu = time.perf_counter(), time.thread_time()
        side.step(dt, t + dt, received)
        solved, solved_cpu = time.perf_counter(), time.thread_time()
        send()
        component.advance(dt)
        timings.steps += 1
        timings.fenics += solved - solving
        timings.fenics_cpu += solved_cpu - solving_cpu
        timings.coupling += time.perf_counter() - solved + solving - started
        t += dt
    windows.run_ends(t, side.relative_error)
    print(timings.summary(), flush=True)
