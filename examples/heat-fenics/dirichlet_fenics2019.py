#!/usr/bin/env python3
"""The Dirichlet participant of the partitioned heat case, written against
legacy FEniCS (dolfin 2019.2, Debian bookworm's python3-dolfin; stack
fenics2019.stack.yaml), the FEniCS of preCICE's own tutorial of this case: the
left half [0, 1] × [0, 1] with P2 elements and backward Euler, the same
numerics as dirichlet_fenicsx05.py. Per step it reads the interface
temperature the Neumann side sent, takes the step with it as the Dirichlet
condition on x = 1, and writes the heat flux ∂u/∂x there (the L2 projection of
∂u_h/∂x onto the P2 space, as the tutorial computes it).

Its JIT compiles only forms (FFC, once each per process: they are built once
as dolfin.Form and reassembled every step); u is set at the dofs by numpy, not
by a C++ dolfin.Expression, whose compilation (pybind11 and dolfin's headers)
takes a minute on two cores.

args: cells (9: 9 × 9 cells, 19 interface dofs), degree (2), dt (0.01),
error_tolerance (1e-8). One line per window (heat_problem.Windows):

    window 3, t = 0.400: relative L2 error = 1.234e-15
"""

import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import participant_stack  # noqa: E402  (next to this file)

conflux = participant_stack.client()
fenics, dolfin = participant_stack.require(
    "Dirichlet (FEniCS 2019)", "fenics", "dolfin", "2019.", "fenics2019", "legacy dolfin 2019"
)

import numpy  # noqa: E402
from dolfin import dot, dx, grad  # noqa: E402

import heat_problem  # noqa: E402  (the problem, next to this file)

# Not "Calling FFC just-in-time (JIT) compiler, this may take some time." for every form: FFC's logger says it.
logging.getLogger("FFC").setLevel(logging.WARNING)


class DirichletSide:
    """The left half: one backward Euler step given the interface temperature, then its flux."""

    def __init__(self, settings: heat_problem.Settings):
        n = settings.cells
        domain = dolfin.RectangleMesh(dolfin.Point(0.0, 0.0), dolfin.Point(1.0, 1.0), n, n, "left")
        self.V = V = dolfin.FunctionSpace(domain, "P", settings.degree)
        self.interface = fenics.Interface.where(V, heat_problem.on_interface)
        u, v = dolfin.TrialFunction(V), dolfin.TestFunction(V)
        self.dt = dolfin.Constant(settings.dt)
        source = dolfin.Constant(heat_problem.SOURCE)
        self.u_n = dolfin.Function(V)  # the state at the step's start
        self.u_h = dolfin.Function(V)  # the step's result
        self.outer = dolfin.Function(V)  # u on the outer boundary, at the step's end
        self.coupled = dolfin.Function(V)  # the received interface temperature (only its interface dofs matter)
        outer = fenics.Interface.where(V, heat_problem.on_dirichlet_outer_boundary)
        self.bcs = [outer.dirichlet_bc(self.outer), self.interface.dirichlet_bc(self.coupled)]
        # Forms compiled once and reassembled every step.
        self.a = dolfin.Form(u * v * dx + self.dt * dot(grad(u), grad(v)) * dx)
        self.L = dolfin.Form((self.u_n + self.dt * source) * v * dx)
        self.A = dolfin.assemble(self.a)
        for bc in self.bcs:
            bc.apply(self.A)
        self.solver = dolfin.LUSolver(self.A)
        self.b = dolfin.assemble(self.L)
        self.assembled_dt = settings.dt
        # The flux: the L2 projection of ∂u_h/∂x onto V (exact when u_h is u: ∂u/∂x = 2x is in V).
        self.flux = dolfin.Function(V)
        self.mass_solver = dolfin.LUSolver(dolfin.assemble(dolfin.Form(u * v * dx)))
        self.flux_rhs = dolfin.Form(self.u_h.dx(0) * v * dx)
        self.flux_b = dolfin.assemble(self.flux_rhs)
        # The error against u, over the domain.
        self.reference = dolfin.Function(V)
        self.error_form = dolfin.Form((self.u_n - self.reference) ** 2 * dx)
        self.norm_form = dolfin.Form(self.reference**2 * dx)
        # Lagrange dofs are point values: u interpolated into V is u at the dofs' coordinates.
        self.dof_points = V.tabulate_dof_coordinates().reshape(-1, 2).T.copy()

    def exact(self, t: float):
        """u at time t at every dof."""
        return heat_problem.exact(self.dof_points[0], self.dof_points[1], t)

    @staticmethod
    def set_values(function, values) -> None:
        function.vector().set_local(values)
        function.vector().apply("insert")

    def initialize(self, t: float) -> None:
        self.set_values(self.u_n, self.exact(t))
        self.u_h.assign(self.u_n)
        self._project_flux()

    def step(self, dt: float, t_new: float, temperature) -> None:
        """One step to t_new with `temperature` (one value per interface point) on the interface."""
        if abs(dt - self.assembled_dt) > 1e-12 * dt:
            self.dt.assign(dt)
            dolfin.assemble(self.a, tensor=self.A)
            for bc in self.bcs:
                bc.apply(self.A)
            self.solver = dolfin.LUSolver(self.A)
            self.assembled_dt = dt
        self.set_values(self.outer, self.exact(t_new))
        self.interface.read(temperature, self.coupled)
        dolfin.assemble(self.L, tensor=self.b)
        for bc in self.bcs:
            bc.apply(self.b)
        self.solver.solve(self.u_h.vector(), self.b)
        self._project_flux()
        self.u_n.assign(self.u_h)

    def _project_flux(self) -> None:
        dolfin.assemble(self.flux_rhs, tensor=self.flux_b)
        self.mass_solver.solve(self.flux.vector(), self.flux_b)

    def relative_error(self, t: float) -> float:
        """‖u_h − u‖ / ‖u‖ in L2 over the left half, at time t."""
        self.set_values(self.reference, self.exact(t))
        return float(numpy.sqrt(dolfin.assemble(self.error_form) / dolfin.assemble(self.norm_form)))


def main() -> int:
    try:
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: connect() failed: {error}", file=sys.stderr)
        return 1
    with component:
        try:
            settings = heat_problem.Settings(component.args)
            started = time.perf_counter()
            side = DirichletSide(settings)
            side.initialize(0.0)
            print(
                f"dolfin {dolfin.__version__}, P{settings.degree} on {settings.cells} × {settings.cells} cells, "
                f"{side.interface.count} interface dofs; set up (JIT) in {time.perf_counter() - started:.1f} s, "
                f"cache {fenics.JIT_CACHE}",
                flush=True,
            )
            interface = side.interface.share_mesh(component, "interface", ["T", "flux"])
            flux = interface.field("flux")
            side.interface.write(side.flux, flux)  # the initial flux, which the Neumann side reads first
            side.interface.write(side.u_n, interface.field("T"))
            component.ready()

            heat_problem.couple(
                component,
                settings,
                side,
                "T",
                send=lambda: side.interface.write(side.flux, flux),
                save=lambda: side.u_n.vector().get_local(),
                restore=lambda values: side.set_values(side.u_n, values),
            )
        except (conflux.ConfluxError, ValueError) as error:
            print(f"ERROR: Dirichlet failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
