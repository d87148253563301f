"""Conflux adapter for FEniCSx (dolfinx 0.5 to 0.9): the coupling interface of a
function space as a Conflux mesh, a Function's values there as a field, and
received values written into the Function a boundary condition or a Neumann
term is made of.

Tested with Debian bookworm's python3-dolfinx 1:0.5.2 and trixie's 1:0.9.0,
whose APIs differ (``fem.FunctionSpace`` against ``fem.functionspace``,
``Function.vector`` against ``Function.x.petsc_vec``); what this module calls is
common to both. One process (no MPI partitioning) and scalar spaces (block
size 1): a vector field is coupled one collapsed component space at a time.

A Dirichlet participant that receives a temperature and sends a flux::

    import conflux
    from conflux import fenicsx                 # makes dolfinx's JIT cache writable (see jit_cache_directory)
    from dolfinx import fem

    V = ...                                     # the solver's function space
    interface = fenicsx.Interface.where(V, lambda x: numpy.isclose(x[0], 1.0))
    with conflux.connect() as app:
        mesh = interface.share_mesh(app, "interface", ["T", "flux"])   # the dofs' coordinates
        coupled = fem.Function(V)               # the interface's boundary values
        bcs = [interface.dirichlet_bc(coupled), ...]
        interface.write(flux_function, mesh.field("flux"))            # initial data
        app.ready()
        while app.is_coupling_ongoing():
            ...
            interface.read(app.read("interface", "T", dt), coupled)   # into the BC's Function
            ...                                 # solve
            interface.write(flux_function, mesh.field("flux"))
            app.advance(dt)

Copies: the mesh's coordinates and fields are views of the shared segment (the
client's), and a Function's values are a view of dolfinx's own vector
(``Function.x.array``), which lives in memory dolfinx allocates and cannot be
put in a segment. So ``write`` gathers the interface dofs from the Function's
array straight into the segment, ``read`` scatters the segment's values into
the Function's array, and ``share_mesh`` copies the coordinates once: one copy
each, no temporary array.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._solver_interface import point_order, share_points, writable_cache

__all__ = ["Interface", "jit_cache_directory"]


def jit_cache_directory() -> str:
    """Where dolfinx keeps the forms its JIT compiles (ffcx's C, built by cffi): $XDG_CACHE_HOME/fenics, else
    ~/.cache/fenics. In a container whose root is read-only neither can be written, and compiling the first form
    fails; this module then points dolfinx's default cache directory (and XDG_CACHE_HOME) at a directory of its
    own under the temporary directory (a container's private /tmp), removed when the process ends. The forms are
    compiled once per process: a solver that builds its forms once and reassembles them every step compiles
    nothing after its start."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    private = writable_cache(os.path.join(base, "fenics"), "conflux-fenicsx-jit-")
    if private is None:
        return os.path.join(base, "fenics")
    os.environ["XDG_CACHE_HOME"] = private
    return os.path.join(private, "fenics")


JIT_CACHE = jit_cache_directory()

import numpy  # noqa: E402
from dolfinx import fem, jit  # noqa: E402

# dolfinx takes its default cache directory from XDG_CACHE_HOME when it is imported, which may have been before
# this module was; its table of defaults (DOLFINX_DEFAULT_JIT_PARAMETERS in 0.5, _OPTIONS in 0.9) is read at
# every compile, so the directory is set there too.
for _table in ("DOLFINX_DEFAULT_JIT_OPTIONS", "DOLFINX_DEFAULT_JIT_PARAMETERS"):
    _defaults = getattr(jit, _table, None)
    if isinstance(_defaults, dict) and "cache_dir" in _defaults:
        _defaults["cache_dir"] = (Path(JIT_CACHE), _defaults["cache_dir"][1])


class Interface:
    """The coupling interface of a scalar dolfinx function space: the dofs on it and their coordinates, ordered by
    x, then y, then z, so that two participants list the points of one interface alike whatever each solver's
    numbering."""

    def __init__(self, function_space, dofs):
        block_size = function_space.dofmap.index_map_bs
        if block_size != 1:
            raise ValueError(
                f"the interface's function space has block size {block_size}; couple a scalar space "
                "(a vector field one collapsed component space at a time: V.sub(i).collapse())"
            )
        owned = function_space.dofmap.index_map.size_local
        dofs = numpy.asarray(dofs, dtype=numpy.int32).reshape(-1)
        if dofs.size == 0:
            raise ValueError("the interface has no dofs: the marker selected none of the function space's dofs")
        if dofs.min() < 0 or dofs.max() >= owned:
            raise ValueError(
                f"the interface's dofs must be this process's own dofs, 0 to {owned - 1}; got {dofs.min()} to {dofs.max()}"
            )
        self.function_space = function_space
        self.dimension = function_space.mesh.geometry.dim
        points = function_space.tabulate_dof_coordinates()[dofs, : self.dimension]
        order = point_order(points)
        self.dofs = dofs[order]
        self.points = numpy.ascontiguousarray(points[order])
        self.count = int(self.dofs.size)

    @classmethod
    def where(cls, function_space, marker) -> Interface:
        """The dofs whose coordinates `marker` selects, as fem.locate_dofs_geometrical: marker(x) gets an array of
        shape (3, n) and returns n booleans."""
        return cls(function_space, fem.locate_dofs_geometrical(function_space, marker))

    def share_mesh(self, component, name: str, fields, layout: str = "soa"):
        """Shares the interface as mesh `name` of `component` (a conflux.Component) with `fields`, its coordinates
        copied in; returns the conflux.Mesh, whose fields are views of the segment."""
        return share_points(component, name, self.points, fields, layout)

    def _check_function(self, function, what: str) -> None:
        space = function.function_space
        if space is not self.function_space and space != self.function_space:
            raise ValueError(f"{what}: the Function is not on the interface's function space")

    def write(self, function, values) -> None:
        """The Function's values at the interface's dofs, into `values` (a mesh field): one copy, no temporary."""
        self._check_function(function, "write")
        numpy.take(function.x.array, self.dofs, out=numpy.asarray(values)[: self.count])

    def read(self, values, function) -> None:
        """`values` (received, one per interface point, in the mesh's order) into the Function's interface dofs;
        its other dofs keep their values. One copy."""
        self._check_function(function, "read")
        values = numpy.asarray(values)
        if values.shape[0] < self.count:
            raise ValueError(f"read: {values.shape[0]} values for an interface of {self.count} points")
        function.x.array[self.dofs] = values[: self.count]
        function.x.scatter_forward()

    def dirichlet_bc(self, function):
        """A Dirichlet condition on the interface whose values are the Function's (fill it with read())."""
        self._check_function(function, "dirichlet_bc")
        return fem.dirichletbc(function, self.dofs)
