"""What the solver adapters (conflux.fenicsx, conflux.fenics) share, apart from
any solver: a writable JIT cache, the order of an interface's points, and an
interface shared as a mesh."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def _writable(directory: str) -> bool:
    """Whether `directory` exists and can be written, or can be made."""
    probe = directory
    while not os.path.isdir(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            return False
        probe = parent
    return os.access(probe, os.W_OK | os.X_OK)


def writable_cache(directory: str, prefix: str) -> str | None:
    """None when `directory` can be written (or made); otherwise a new directory of the temporary directory's (a
    container's private /tmp), removed when the process ends."""
    if _writable(directory):
        return None
    private = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, private, True)
    return private


def point_order(points):
    """The order of `points` (shape (n, dimension)) by x, then y, then z; coordinates that differ by rounding only
    (1 and 0.9999999999999999 on one line) count as equal, so two solvers list one interface's points alike."""
    import numpy

    extent = max(float(numpy.ptp(points, axis=0).max()), 1e-300)
    keys = numpy.round((points - points.min(axis=0)) / extent, 9)
    return numpy.lexsort(keys.T[::-1])


def share_points(component, name: str, points, fields, layout: str):
    """Shares `points` (shape (n, dimension)) as mesh `name` of `component` with `fields`, the coordinates copied
    in; returns the conflux.Mesh."""
    import numpy

    count, dimension = points.shape
    mesh = component.share_mesh(name, dimension, count, layout, fields)
    coordinates = numpy.asarray(mesh.coordinates)
    if layout == "soa":
        coordinates.reshape(dimension, count)[:, :] = points.T
    else:
        coordinates.reshape(count, dimension)[:, :] = points
    return mesh
