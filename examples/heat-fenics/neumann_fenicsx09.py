#!/usr/bin/env python3
"""The Neumann participant of the partitioned heat case, written against
FEniCSx 0.9 (dolfinx 0.9.0, Debian trixie's python3-dolfinx; stack
fenicsx09.stack.yaml): the right half [1, 2] × [0, 1] with P2 elements and
backward Euler. Per step it reads the heat flux ∂u/∂x the Dirichlet side
sent, takes the step with it as the Neumann condition on x = 1 (the weak
form's −∫ g v ds there, the outward normal being −x), and writes the interface
temperature.

It uses what dolfinx 0.5 lacks (fem.functionspace, Function.x.petsc_vec), so
it refuses to run on another dolfinx.

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
    "Neumann (FEniCSx 0.9)", "fenicsx", "dolfinx", "0.9.", "fenicsx09", "dolfinx 0.9"
)

import numpy  # noqa: E402
import ufl  # noqa: E402
from dolfinx import default_scalar_type, fem, mesh  # noqa: E402
from dolfinx.fem import petsc  # noqa: E402
from mpi4py import MPI  # noqa: E402
from petsc4py import PETSc  # noqa: E402

import heat_problem  # noqa: E402  (the problem, next to this file)

INTERFACE_TAG = 1


def lu_solver(matrix):
    """A direct solver: the coupling's convergence, not the linear solver's, must limit the error."""
    solver = PETSc.KSP().create(MPI.COMM_SELF)
    solver.setOperators(matrix)
    solver.setType(PETSc.KSP.Type.PREONLY)
    solver.getPC().setType(PETSc.PC.Type.LU)
    return solver


class NeumannSide:
    """The right half: one backward Euler step given the interface flux; its interface temperature is u_h there."""

    def __init__(self, settings: heat_problem.Settings):
        n = settings.cells
        domain = mesh.create_rectangle(
            MPI.COMM_SELF,
            [numpy.array([1.0, 0.0]), numpy.array([2.0, 1.0])],
            [n, n],
            mesh.CellType.triangle,
            diagonal=mesh.DiagonalType.left,
        )
        self.V = V = fem.functionspace(domain, ("Lagrange", settings.degree))
        self.interface = fenicsx.Interface.where(V, heat_problem.on_interface)
        domain.topology.create_connectivity(1, 2)
        facets = numpy.sort(mesh.locate_entities_boundary(domain, 1, heat_problem.on_interface))
        tags = mesh.meshtags(domain, 1, facets, numpy.full(facets.size, INTERFACE_TAG, dtype=numpy.int32))
        ds = ufl.Measure("ds", domain=domain, subdomain_data=tags)
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self.dt = fem.Constant(domain, default_scalar_type(settings.dt))
        source = fem.Constant(domain, default_scalar_type(heat_problem.SOURCE))
        self.u_n = fem.Function(V)  # the state at the step's start
        self.u_h = fem.Function(V)  # the step's result
        self.outer = fem.Function(V)  # u on the outer boundary, at the step's end
        self.flux = fem.Function(V)  # the received ∂u/∂x (only its interface dofs matter)
        self.bcs = [fem.dirichletbc(self.outer, fem.locate_dofs_geometrical(V, heat_problem.on_neumann_outer_boundary))]
        # Forms built once and reassembled every step: the JIT compiles each once per process.
        self.a = fem.form(u * v * ufl.dx + self.dt * ufl.dot(ufl.grad(u), ufl.grad(v)) * ufl.dx)
        self.L = fem.form(
            (self.u_n + self.dt * source) * v * ufl.dx - self.dt * self.flux * v * ds(INTERFACE_TAG)
        )
        self.A = petsc.assemble_matrix(self.a, bcs=self.bcs)
        self.A.assemble()
        self.solver = lu_solver(self.A)
        self.b = petsc.create_vector(self.L)
        self.assembled_dt = settings.dt
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

    def step(self, dt: float, t_new: float, flux) -> None:
        """One step to t_new with `flux` (∂u/∂x, one value per interface point) on the interface."""
        if abs(dt - self.assembled_dt) > 1e-12 * dt:
            self.dt.value = dt
            self.A.zeroEntries()
            petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
            self.A.assemble()
            self.solver.setOperators(self.A)
            self.assembled_dt = dt
        self.outer.x.array[:] = self.exact(t_new)
        self.interface.read(flux, self.flux)
        with self.b.localForm() as local:
            local.set(0.0)
        petsc.assemble_vector(self.b, self.L)
        petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        petsc.set_bc(self.b, self.bcs)
        self.solver.solve(self.b, self.u_h.x.petsc_vec)
        self.u_h.x.scatter_forward()
        self.u_n.x.array[:] = self.u_h.x.array

    def relative_error(self, t: float) -> float:
        """‖u_h − u‖ / ‖u‖ in L2 over the right half, at time t."""
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
            side = NeumannSide(settings)
            side.initialize(0.0)
            print(
                f"dolfinx {dolfinx.__version__}, P{settings.degree} on {settings.cells} × {settings.cells} cells, "
                f"{side.interface.count} interface dofs; JIT cache {fenicsx.JIT_CACHE}",
                flush=True,
            )
            interface = side.interface.share_mesh(component, "interface", ["T", "flux"])
            temperature = interface.field("T")
            side.interface.write(side.u_h, temperature)  # the initial temperature, which the Dirichlet side reads first
            component.ready()

            heat_problem.couple(
                component,
                settings,
                side,
                "flux",
                send=lambda: side.interface.write(side.u_h, temperature),
                save=lambda: side.u_n.x.array.copy(),
                restore=lambda values: side.u_n.x.array.__setitem__(slice(None), values),
            )
        except (conflux.ConfluxError, ValueError) as error:
            print(f"ERROR: Neumann failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
