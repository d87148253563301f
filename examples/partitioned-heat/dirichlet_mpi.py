#!/usr/bin/env python3
"""The Dirichlet participant of the partitioned heat case as an MPI job
(mpi4py): any number of ranks (the composition gives 2), each owning a
contiguous block of the interface nodes, on the conflux Python client. The
client never calls MPI: it reads the rank and size the launcher set
(docs/parallel.md), and each rank joins the run with its own channel and mesh
partition.

The solve is the serial one, on rank 0 (the subdomain is 11 × 11 nodes; what is
parallel here is the coupling's data, not the linear algebra): per substep
every rank reads the temperature of its interface block, rank 0 gathers the
blocks, takes the backward Euler step of heat_dirichlet.py and scatters the new
interface flux, and every rank writes its block. The arithmetic is that of the
serial participant (dirichlet.py), so the coupled result is too.

args as dirichlet.py: nx, ny, dt, error_tolerance. Rank 0 prints the window
lines. Needs mpi4py and numpy (Debian: python3-mpi4py, python3-numpy).
"""

import os
import sys

import numpy
from mpi4py import MPI

HERE = os.path.dirname(os.path.abspath(__file__))
# This conflux's client: `conflux run` puts it on the component's PYTHONPATH, and a component runs only under
# `conflux run` (connect() needs the run it starts), so the script names no path to it of its own.
import conflux

sys.path.insert(0, HERE)
from dirichlet import report, setting  # noqa: E402  (the serial participant's checks and window line)
import heat_dirichlet  # noqa: E402  (the numerics, next to this file)


def blocks(total: int, size: int) -> list:
    """(offset, count) of every rank's block of `total` nodes: the first total % size ranks take one more."""
    base, extra = divmod(total, size)
    counts = [base + (1 if rank < extra else 0) for rank in range(size)]
    offsets = [sum(counts[:rank]) for rank in range(size)]
    return list(zip(offsets, counts))


def couple(component, world, side, ny: int, solver_dt: float, tolerance: float) -> None:
    rank, size = world.Get_rank(), world.Get_size()
    layout = blocks(ny, size)
    offset, count = layout[rank]
    counts = [block[1] for block in layout]
    offsets = [block[0] for block in layout]
    whole_temperature = numpy.empty(ny) if rank == 0 else None
    whole_flux = side.flux() if rank == 0 else None  # the initial flux, read by the Neumann side in the first window

    # This rank's block of the interface: the nodes of x = 1, y = (offset + j)·hy.
    interface_y = world.bcast(side.interface_y if rank == 0 else None, root=0)
    mesh = component.share_mesh("interface", 2, count, "soa", ["T", "flux"])
    mesh.coordinates[:count] = 1.0
    mesh.coordinates[count:] = interface_y[offset : offset + count]
    flux = mesh.field("flux")
    world.Scatterv([whole_flux, counts, offsets, MPI.DOUBLE] if rank == 0 else None, flux, root=0)
    initial_temperature = side.values[:, -1].copy() if rank == 0 else None
    world.Scatterv([initial_temperature, counts, offsets, MPI.DOUBLE] if rank == 0 else None, mesh.field("T"), root=0)
    component.ready()

    t = 0.0
    window = 0
    window_end = None  # of the window attempt under way
    checkpoint = None
    while component.is_coupling_ongoing():
        if component.requires_writing_checkpoint():
            checkpoint = (side.values.copy() if rank == 0 else None, t)
            component.checkpoint_written(t)
        if component.requires_reading_checkpoint():
            if rank == 0:
                side.values[:, :] = checkpoint[0]
            t = checkpoint[1]
            component.checkpoint_restored(t)
        if window_end is None or t >= window_end - 1e-9 * max(1.0, abs(t)):
            # A new window: the one before is over (converged, or its only attempt if explicit).
            if window_end is not None:
                agree(world, lambda: report(window, t, side.relative_error(t), tolerance))
                window += 1
            window_end = t + component.max_time_step()
        dt = min(solver_dt, component.max_time_step())
        temperature = numpy.ascontiguousarray(component.read("interface", "T", dt))  # at the end of this step
        world.Gatherv(temperature, [whole_temperature, counts, offsets, MPI.DOUBLE] if rank == 0 else None, root=0)
        if rank == 0:
            whole_flux = agree(world, lambda: side.step(dt, t + dt, whole_temperature))
        else:
            agree(world, None)
        world.Scatterv([whole_flux, counts, offsets, MPI.DOUBLE] if rank == 0 else None, flux, root=0)
        component.advance(dt)
        t += dt
    agree(world, lambda: report(window, t, side.relative_error(t), tolerance))


def agree(world, work):
    """Runs `work` on rank 0 and tells every rank whether it failed, so that all of them stop together."""
    result, failure = None, None
    if world.Get_rank() == 0:
        try:
            result = work()
        except ValueError as error:
            failure = str(error)
    failure = world.bcast(failure, root=0)
    if failure is not None:
        raise ValueError(failure)
    return result


def main() -> int:
    world = MPI.COMM_WORLD
    rank = world.Get_rank()
    try:
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: Dirichlet rank {rank}: connect() failed: {error}", file=sys.stderr)
        world.Abort(1)
    with component:
        try:
            args = component.args
            nx = setting(args, "nx", 11, int)
            ny = setting(args, "ny", 11, int)
            solver_dt = setting(args, "dt", 0.01, float)
            tolerance = setting(args, "error_tolerance", 1e-8, float)
            side = heat_dirichlet.DirichletSide(nx, ny)  # every rank checks the grid; only rank 0 solves
            if rank == 0:
                side.initialize(0.0)
            couple(component, world, side, ny, solver_dt, tolerance)
        except ValueError as error:
            print(f"ERROR: Dirichlet rank {rank} failed: {error}", file=sys.stderr)
            return 1
        except conflux.ConfluxError as error:
            # This rank lost its driver: it does not wait in a collective for the others; mpirun ends the job.
            print(f"ERROR: Dirichlet rank {rank} failed: {error}", file=sys.stderr)
            world.Abort(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
