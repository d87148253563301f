#!/usr/bin/env python3
"""The Dirichlet participant of the partitioned heat case, written against
FEniCSx 0.5 (dolfinx 0.5.2, Debian bookworm's python3-dolfinx; stack
fenicsx05.stack.yaml): the left half [0, 1] × [0, 1] with P2 elements and
backward Euler. Per step it reads the interface temperature the Neumann side
sent, takes the step with it as the Dirichlet condition on x = 1, and writes
the heat flux ∂u/∂x there (the L2 projection of ∂u_h/∂x onto the P2 space, as
preCICE's tutorial computes it).

It uses what dolfinx 0.9 removed (fem.FunctionSpace(mesh, element) and
Function.vector), so it refuses to run on another dolfinx.

args: cells (9: 9 × 9 cells, 19 interface dofs), degree (2), dt (0.01),
error_tolerance (1e-8). One line per window (heat_problem.Windows):

    window 3, t = 0.400: relative L2 error = 1.234e-15
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import participant_stack  # noqa: E402  (next to this file)

conflux = participant_stack.client()
fenicsx, dolfinx = participant_stack.require(
    "Dirichlet (FEniCSx 0.5)", "fenicsx", "dolfinx", "0.5.", "fenicsx05", "dolfinx 0.5"
)

import numpy  # noqa: E402
import ufl  # noqa: E402
from dolfinx import fem, mesh  # noqa: E402
from dolfinx.fem import petsc  # noqa: E402
from mpi4py import MPI  # noqa: E402
from petsc4py import PETSc  # noqa: E402

import heat_problem  # noqa: E402  (the problem, next to this file)


def lu_solver(matrix):
    """A direct solver: the coupling's convergence, not the linear solver's, must limit the error."""
    solver = PETSc.KSP().create(MPI.COMM_SELF)
    solver.setOperators(matrix)
    solver.setType(PETSc.KSP.Type.PREONLY)
    solver.getPC().setType(PETSc.PC.Type.LU)
    return solver


class DirichletSide:
    """The left half: one backward Euler step given the interface temperature, then its flux."""

    def __init__(self, settings: heat_problem.Settings):
        n = settings.cells
        domain = mesh.create_rectangle(
            MPI.COMM_SELF,
            [numpy.array([0.0, 0.0]), numpy.array([1.0, 1.0])],
            [n, n],
            mesh.CellType.triangle,
            diagonal=mesh.DiagonalType.left,
        )
        self.V = V = fem.FunctionSpace(domain, ("Lagrange", settings.degree))
        self.interface = fenicsx.Interface.where(V, heat_problem.on_interface)
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self.dt = fem.Constant(domain, PETSc.ScalarType(settings.dt))
        source = fem.Constant(domain, PETSc.ScalarType(heat_problem.SOURCE))
        self.u_n = fem.Function(V)  # the state at the step's start
        self.u_h = fem.Function(V)  # the step's result
        self.outer = fem.Function(V)  # u on the outer boundary, at the step's end
        self.coupled = fem.Function(V)  # the received interface temperature (only its interface dofs matter)
        self.bcs = [
            fem.dirichletbc(self.outer, fem.locate_dofs_geometrical(V, heat_problem.on_dirichlet_outer_boundary)),
            self.interface.dirichlet_bc(self.coupled),
        ]
        # Forms built once and reassembled every step: the JIT compiles each once per process.
        self.a = fem.form(u * v * ufl.dx + self.dt * ufl.dot(ufl.grad(u), ufl.grad(v)) * ufl.dx)
        self.L = fem.form((self.u_n + self.dt * source) * v * ufl.dx)
        self.A = petsc.assemble_matrix(self.a, bcs=self.bcs)
        self.A.assemble()
        self.solver = lu_solver(self.A)
        self.b = petsc.create_vector(self.L)
        self.assembled_dt = settings.dt
        # The flux: the L2 projection of ∂u_h/∂x onto V (exact when u_h is u: ∂u/∂x = 2x is in V).
        self.flux = fem.Function(V)
        mass = petsc.assemble_matrix(fem.form(u * v * ufl.dx))
        mass.assemble()
        self.mass_solver = lu_solver(mass)
        self.flux_rhs = fem.form(self.u_h.dx(0) * v * ufl.dx)
        self.flux_b = petsc.create_vector(self.flux_rhs)
        # The error against u, over the domain.
        self.reference = fem.Function(V)
        # Lagrange dofs are point values: u interpolated into V is u at the dofs' coordinates (which numpy computes
        # without the detour Function.interpolate makes for a Python callable).
        self.dof_points = V.tabulate_dof_coordinates()[:, :2].T.copy()
        self.error_form = fem.form((self.u_n - self.reference) ** 2 * ufl.dx)
        self.norm_form = fem.form(self.reference**2 * ufl.dx)

    def exact(self, t: float):
        """u at time t at every dof."""
        return heat_problem.exact(self.dof_points[0], self.dof_points[1], t)

    def initialize(self, t: float) -> None:
        self.u_n.x.array[:] = self.exact(t)
        self.u_h.x.array[:] = self.u_n.x.array
        self._project_flux()

    def step(self, dt: float, t_new: float, temperature) -> None:
        """One step to t_new with `temperature` (one value per interface point) on the interface."""
        if abs(dt - self.assembled_dt) > 1e-12 * dt:
            self.dt.value = dt
            self.A.zeroEntries()
            petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
            self.A.assemble()
            self.solver.setOperators(self.A)
            self.assembled_dt = dt
        self.outer.x.array[:] = self.exact(t_new)
        self.interface.read(temperature, self.coupled)
        with self.b.localForm() as local:
            local.set(0.0)
        petsc.assemble_vector(self.b, self.L)
        petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        petsc.set_bc(self.b, self.bcs)
        self.solver.solve(self.b, self.u_h.vector)
        self.u_h.x.scatter_forward()
        self._project_flux()
        self.u_n.x.array[:] = self.u_h.x.array

    def _project_flux(self) -> None:
        with self.flux_b.localForm() as local:
            local.set(0.0)
        petsc.assemble_vector(self.flux_b, self.flux_rhs)
        self.mass_solver.solve(self.flux_b, self.flux.vector)
        self.flux.x.scatter_forward()

    def relative_error(self, t: float) -> float:
        """‖u_h − u‖ / ‖u‖ in L2 over the left half, at time t."""
        self.reference.x.array[:] = self.exact(t)
        error = fem.assemble_scalar(self.error_form)
        norm = fem.assemble_scalar(self.norm_form)
        return float(numpy.sqrt(error / norm))


def main() -> int:
    try:
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: connect() failed: {error}", file=sys.stderr)
        return 1
    with component:
        try:
            settings = heat_problem.Settings(component.args)
            side = DirichletSide(settings)
            side.initialize(0.0)
            print(
                f"dolfinx {dolfinx.__version__}, P{settings.degree} on {settings.cells} × {settings.cells} cells, "
                f"{side.interface.count} interface dofs; JIT cache {fenicsx.JIT_CACHE}",
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
                save=lambda: side.u_n.x.array.copy(),
                restore=lambda values: side.u_n.x.array.__setitem__(slice(None), values),
            )
        except (conflux.ConfluxError, ValueError) as error:
            print(f"ERROR: Dirichlet failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
