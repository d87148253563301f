#!/usr/bin/env python3
"""A component that checks a FEniCS adapter of the Python client on the FEniCS
its stack holds (args.adapter: "fenicsx" for dolfinx 0.5 or 0.9, "fenics" for
dolfin 2019), through a real run: the interface of a P2 space on the unit
square's side x = 1 shared as the mesh "interface" (9 points: 4 × 4 cells),
a Function's values written into its field, received values read into a
Function, the Dirichlet condition, the JIT cache, and the errors. Prints
"check <what>: ok" for each and ends the run's one iteration; a failed check
ends it with exit code 1 and says what differed."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))
import conflux  # noqa: E402

CELLS = 4


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def on_side(x):
    import numpy

    return numpy.isclose(x[0], 1.0)


def with_dolfinx():
    """The adapter's objects and the solver calls it is checked with, on dolfinx."""
    import dolfinx  # before the adapter: its JIT cache must be set whatever the order
    from conflux import fenicsx as adapter
    import numpy
    import ufl
    from dolfinx import fem, mesh
    from mpi4py import MPI

    domain = mesh.create_unit_square(MPI.COMM_SELF, CELLS, CELLS)
    new_api = hasattr(fem, "functionspace")
    space = fem.functionspace if new_api else fem.FunctionSpace
    V = space(domain, ("Lagrange", 2))
    vector_space = space(domain, ("Lagrange", 1, (2,))) if new_api else fem.VectorFunctionSpace(domain, ("Lagrange", 1))

    def function():
        return fem.Function(V)

    def values(u):
        return u.x.array

    def set_values(u, array):
        u.x.array[:] = array

    def bc_dofs(bc):
        indices = bc.dof_indices()
        return numpy.asarray(indices[0][: indices[1]] if isinstance(indices, tuple) else indices)

    def compile_form():
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        fem.form(u * v * ufl.dx)

    return adapter, f"dolfinx {dolfinx.__version__}", V, vector_space, function, values, set_values, bc_dofs, compile_form


def with_dolfin():
    """The adapter's objects and the solver calls it is checked with, on legacy dolfin."""
    from conflux import fenics as adapter  # before dolfin compiles anything: it sets the JIT cache
    import dolfin
    import numpy

    domain = dolfin.UnitSquareMesh(CELLS, CELLS)
    V = dolfin.FunctionSpace(domain, "P", 2)
    vector_space = dolfin.VectorFunctionSpace(domain, "P", 1)

    def function():
        return dolfin.Function(V)

    def values(u):
        return u.vector().get_local()

    def set_values(u, array):
        u.vector().set_local(array)
        u.vector().apply("insert")

    def bc_dofs(bc):
        return numpy.fromiter(bc.get_boundary_values().keys(), dtype=numpy.int64)

    def compile_form():
        u, v = dolfin.TrialFunction(V), dolfin.TestFunction(V)
        dolfin.Form(u * v * dolfin.dx)

    return adapter, f"dolfin {dolfin.__version__}", V, vector_space, function, values, set_values, bc_dofs, compile_form


def check(component) -> None:
    import numpy

    flavour = component.args.get("adapter")
    if flavour not in ("fenicsx", "fenics"):
        raise AssertionError(f'args.adapter must be "fenicsx" or "fenics", got {flavour!r}')
    adapter, version, V, vector_space, function, values, set_values, bc_dofs, compile_form = (
        with_dolfinx() if flavour == "fenicsx" else with_dolfin()
    )
    print(f"{flavour} adapter on {version}", flush=True)

    # The JIT cache: a container's root is read-only, so the adapter chose a directory it can write (its own
    # under the private temporary directory, or XDG_CACHE_HOME where that can be written), and compiling a
    # form works and fills it.
    compile_form()
    expect(len(os.listdir(adapter.JIT_CACHE)) > 0, f"compiling a form left nothing in {adapter.JIT_CACHE}")
    expect(os.access(adapter.JIT_CACHE, os.W_OK), f"the JIT cache {adapter.JIT_CACHE} cannot be written")
    print(f"check JIT cache in {adapter.JIT_CACHE}: ok", flush=True)

    interface = adapter.Interface.where(V, on_side)
    expect(interface.count == 2 * CELLS + 1, f"{interface.count} interface dofs, expected {2 * CELLS + 1}")
    expect(numpy.allclose(interface.points[:, 0], 1.0), f"interface points off x = 1: {interface.points}")
    expected_y = numpy.linspace(0.0, 1.0, 2 * CELLS + 1)
    expect(numpy.allclose(interface.points[:, 1], expected_y), f"points not ordered by y: {interface.points[:, 1]}")
    print("check interface dofs, ordered by their coordinates: ok", flush=True)

    mesh = interface.share_mesh(component, "interface", ["T", "flux"])
    coordinates = numpy.asarray(mesh.coordinates).reshape(2, interface.count)
    expect(numpy.array_equal(coordinates.T, interface.points), "the shared mesh's coordinates are not the dofs'")
    print("check share_mesh: coordinates in the segment: ok", flush=True)

    tabulated = V.tabulate_dof_coordinates()  # (n, 3) in dolfinx, (n, 2) in dolfin here
    dof_points = tabulated.reshape(tabulated.shape[0], -1)[:, :2]
    u = function()
    set_values(u, dof_points[:, 0] + 10.0 * dof_points[:, 1])
    field = mesh.field("T")
    interface.write(u, field)
    expected = 1.0 + 10.0 * expected_y
    expect(numpy.allclose(field, expected, rtol=1e-13, atol=0), f"write put {numpy.asarray(field)} in the field")
    expect(numpy.shares_memory(field, numpy.frombuffer(mesh.segment.memory.buffer, dtype=numpy.uint8)), "not in the segment")
    print("check write: the Function's interface values in the segment's field: ok", flush=True)

    g = function()
    set_values(g, numpy.full(dof_points.shape[0], -1.0))
    received = mesh.field("flux")
    received[:] = numpy.arange(interface.count, dtype=float)
    interface.read(received, g)
    after = values(g)
    expect(numpy.array_equal(after[interface.dofs], numpy.arange(interface.count)), "read did not set the interface dofs")
    others = numpy.setdiff1d(numpy.arange(after.size), interface.dofs)
    expect(numpy.all(after[others] == -1.0), "read changed dofs off the interface")
    print("check read: received values into the Function's interface dofs, the others kept: ok", flush=True)

    bc = interface.dirichlet_bc(g)
    expect(numpy.array_equal(numpy.sort(bc_dofs(bc)), numpy.sort(interface.dofs)), "the condition's dofs differ")
    print("check dirichlet_bc: on the interface's dofs: ok", flush=True)

    for what, make in [
        ("a vector space", lambda: adapter.Interface.where(vector_space, on_side)),
        ("a marker that selects nothing", lambda: adapter.Interface.where(V, lambda x: numpy.isclose(x[0], 7.0))),
        ("too few values", lambda: interface.read(numpy.zeros(3), g)),
    ]:
        try:
            make()
        except ValueError as error:
            print(f"check refused {what}: {error}: ok", flush=True)
        else:
            raise AssertionError(f"{what} was not refused")


def main() -> int:
    with conflux.connect() as component:
        try:
            check(component)
        except AssertionError as error:
            print(f"ERROR: adapter check failed: {error}", file=sys.stderr)
            return 1
        component.ready()
        while component.next_step() >= 0:
            component.done()
    return 0


if __name__ == "__main__":
    sys.exit(main())
