"""Conflux adapter for legacy FEniCS (dolfin 2019.2, Debian bookworm's
python3-dolfin, the FEniCS preCICE's own adapter targets): the coupling
interface of a function space as a Conflux mesh, a Function's values there as
a field, and received values written into the Function a DirichletBC or a
Neumann term (g * v * ds) is made of.

One process (no MPI partitioning), scalar spaces, dolfin's PETSc backend
(Debian's default; petsc4py comes with it). A Dirichlet participant that
receives a temperature and sends a flux::

    import conflux
    from conflux import fenics as coupling      # before dolfin compiles anything: it sets the JIT cache
    import dolfin

    V = dolfin.FunctionSpace(mesh, "P", 2)
    interface = coupling.Interface.where(V, lambda x: numpy.isclose(x[0], 1.0))
    with conflux.connect() as app:
        mesh = interface.share_mesh(app, "interface", ["T", "flux"])   # the dofs' coordinates
        coupled = dolfin.Function(V)            # the interface's boundary values
        bcs = [interface.dirichlet_bc(coupled), ...]
        interface.write(flux_function, mesh.field("flux"))            # initial data
        app.ready()
        while app.is_coupling_ongoing():
            ...
            interface.read(app.read("interface", "T", dt), coupled)   # into the BC's Function
            ...                                 # solve
            interface.write(flux_function, mesh.field("flux"))
            app.advance(dt)

A Neumann participant reads into the Function g of its form's g * v * ds the
same way.

Copies: the mesh's coordinates and fields are views of the shared segment (the
client's); a Function's values live in its PETSc vector, which dolfin
allocates. ``write`` gathers the interface dofs from a read-only view of that
vector (petsc4py's ``Vec.array_r``) straight into the segment, ``read`` sets
them with ``Vec.setValues`` from the segment, and ``share_mesh`` copies the
coordinates once: one copy each, no temporary array.
"""

from __future__ import annotations

import os

from ._solver_interface import point_order, share_points, writable_cache

__all__ = ["Interface", "jit_cache_directory"]


def jit_cache_directory() -> str:
    """Where dolfin keeps what its JIT compiles (FFC's forms and elements, C++ expressions; dijitso's cache):
    $DIJITSO_CACHE_DIR, else ~/.cache/dijitso. In a container whose root is read-only the default cannot be
    written; this module then points DIJITSO_CACHE_DIR at a directory of its own under the temporary directory
    (a container's private /tmp), removed when the process ends. Each form is compiled once per process: a
    solver that builds its forms once (dolfin.Form) and reassembles them every step compiles nothing after its
    start."""
    configured = os.environ.get("DIJITSO_CACHE_DIR")
    directory = configured or os.path.join(os.path.expanduser("~"), ".cache", "dijitso")
    private = writable_cache(directory, "conflux-fenics-jit-")
    if private is None:
        return directory
    os.environ["DIJITSO_CACHE_DIR"] = private
    return private


# dijitso reads DIJITSO_CACHE_DIR at dolfin's first compile (its first FunctionSpace), so this runs before it:
# import this module before making one.
JIT_CACHE = jit_cache_directory()

import dolfin  # noqa: E402
import numpy  # noqa: E402


class _Marked(dolfin.SubDomain):
    """The boundary points `marker` selects, for a DirichletBC."""

    def __init__(self, marker):
        super().__init__()
        self._marker = marker

    def inside(self, x, on_boundary):
        return bool(on_boundary and self._marker(numpy.asarray(x).reshape(-1, 1))[0])


def _petsc_vector(function):
    """The petsc4py Vec of a dolfin Function (the PETSc backend's)."""
    try:
        return dolfin.as_backend_type(function.vector()).vec()
    except (AttributeError, RuntimeError, TypeError) as error:
        raise ValueError(
            f"the Function's vector is no PETSc vector ({error}); dolfin must use its PETSc backend, with petsc4py"
        ) from None


class Interface:
    """The coupling interface of a scalar dolfin function space: the dofs on it and their coordinates, ordered by
    x, then y, then z, so that two participants list the points of one interface alike whatever each solver's
    numbering."""

    def __init__(self, function_space, dofs, marker=None):
        if function_space.num_sub_spaces() != 0:
            raise ValueError(
                f"the interface's function space has {function_space.num_sub_spaces()} sub-spaces; couple a scalar "
                "space (a vector field one collapsed component space at a time: V.sub(i).collapse())"
            )
        owned = function_space.dofmap().index_map().size(dolfin.IndexMap.MapSize.OWNED)
        dofs = numpy.asarray(dofs, dtype=numpy.int32).reshape(-1)
        if dofs.size == 0:
            raise ValueError("the interface has no dofs: the marker selected none of the function space's dofs")
        if dofs.min() < 0 or dofs.max() >= owned:
            raise ValueError(
                f"the interface's dofs must be this process's own dofs, 0 to {owned - 1}; got {dofs.min()} to {dofs.max()}"
            )
        self.function_space = function_space
        self.dimension = function_space.mesh().geometry().dim()
        points = function_space.tabulate_dof_coordinates().reshape(-1, self.dimension)[dofs]
        order = point_order(points)
        self.dofs = dofs[order]
        self.points = numpy.ascontiguousarray(points[order])
        self.count = int(self.dofs.size)
        self._marker = marker

    @classmethod
    def where(cls, function_space, marker) -> Interface:
        """The dofs whose coordinates `marker` selects: marker(x) gets an array of shape (dimension, n) and returns
        n booleans (as dolfinx's locate_dofs_geometrical)."""
        dimension = function_space.mesh().geometry().dim()
        points = function_space.tabulate_dof_coordinates().reshape(-1, dimension)
        selected = numpy.asarray(marker(points.T.copy()), dtype=bool)
        return cls(function_space, numpy.flatnonzero(selected), marker)

    def share_mesh(self, component, name: str, fields, layout: str = "soa"):
        """Shares the interface as mesh `name` of `component` (a conflux.Component) with `fields`, its coordinates
        copied in; returns the conflux.Mesh, whose fields are views of the segment."""
        return share_points(component, name, self.points, fields, layout)

    def _vector(self, function, what: str):
        if function.function_space() != self.function_space:
            raise ValueError(f"{what}: the Function is not on the interface's function space")
        return _petsc_vector(function)

    def write(self, function, values) -> None:
        """The Function's values at the interface's dofs, into `values` (a mesh field): one copy, no temporary."""
        numpy.take(self._vector(function, "write").array_r, self.dofs, out=numpy.asarray(values)[: self.count])

    def read(self, values, function) -> None:
        """`values` (received, one per interface point, in the mesh's order) into the Function's interface dofs;
        its other dofs keep their values. One copy."""
        vector = self._vector(function, "read")
        values = numpy.asarray(values)
        if values.shape[0] < self.count:
            raise ValueError(f"read: {values.shape[0]} values for an interface of {self.count} points")
        vector.setValues(self.dofs, values[: self.count])
        vector.assemble()

    def dirichlet_bc(self, function):
        """A DirichletBC on the interface whose values are the Function's (fill it with read()). Needs the
        interface made by where(): the condition marks the boundary facets the marker selects."""
        if self._marker is None:
            raise ValueError("dirichlet_bc: an interface made from a list of dofs has no marker; make it with where()")
        if function.function_space() != self.function_space:
            raise ValueError("dirichlet_bc: the Function is not on the interface's function space")
        bc = dolfin.DirichletBC(self.function_space, function, _Marked(self._marker))
        marked = numpy.sort(numpy.fromiter(bc.get_boundary_values().keys(), dtype=numpy.int64))
        if not numpy.array_equal(marked, numpy.sort(self.dofs)):
            raise ValueError(
                f"dirichlet_bc: the marker selects {self.count} dofs, of which the boundary facets it marks hold "
                f"{marked.size}; mark only boundary points"
            )
        return bc
