#!/usr/bin/env python3
"""Component "bonds": live analytics of the crack, on numpy 2 in a stack of its own (Debian trixie's). It only
reads the snapshots the MD component publishes (the composition's `asynchronous`), so it runs free: whenever it
is done with one snapshot it takes the latest, and those published meanwhile are skipped and counted. For each
it finds the bonds (pairs of atoms closer than bond_cutoff, as LAMMPS's compute coord/atom counts them: the
input's excluded type pairs are no bonds) and prints one line: the step, the number of bonds, how many bonds of
the first snapshot it read are broken, and the histogram of bond lengths.

args: bond_cutoff (1.5), exclude (type pairs that are no bonds, as the deck's neigh_modify exclude type: [[2, 3]]),
bins (12), shortest (the histogram's lower edge, 0.9), nice (10: the analysis yields the CPU to the simulation on a
machine with no core to spare; 0 to compete as an equal)."""

import os
import sys

import numpy

# This conflux's client: `conflux run` puts it on the component's PYTHONPATH.
import conflux


def cell_pairs(xyz: numpy.ndarray, cutoff: float) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Every pair (i < j) of points in the same or neighbouring cells of a grid of cells just over `cutoff` wide:
    a superset of the pairs closer than the cutoff."""
    size = cutoff * (1 + 1e-9)  # a pair closer than the cutoff is never two cells apart, rounding or not
    low = xyz.min(axis=0)
    cells = numpy.floor((xyz - low) / size).astype(numpy.int64)
    shape = cells.max(axis=0) + 1
    keys = (cells[:, 0] * shape[1] + cells[:, 1]) * shape[2] + cells[:, 2]
    order = numpy.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    firsts, seconds = [], []
    reach = [(-1, 0, 1) if extent > 1 else (0,) for extent in shape]
    for dx in reach[0]:
        for dy in reach[1]:
            for dz in reach[2]:
                neighbour = cells + (dx, dy, dz)
                inside = numpy.all((neighbour >= 0) & (neighbour < shape), axis=1)
                points = numpy.nonzero(inside)[0]
                key = (neighbour[points, 0] * shape[1] + neighbour[points, 1]) * shape[2] + neighbour[points, 2]
                start = numpy.searchsorted(sorted_keys, key, "left")
                counts = numpy.searchsorted(sorted_keys, key, "right") - start
                total = int(counts.sum())
                offsets = numpy.arange(total) - numpy.repeat(numpy.cumsum(counts) - counts, counts)
                first = numpy.repeat(points, counts)
                second = order[numpy.repeat(start, counts) + offsets]
                keep = first < second
                firsts.append(first[keep])
                seconds.append(second[keep])
    return numpy.concatenate(firsts), numpy.concatenate(seconds)


def bonds(xyz, types, cutoff: float, excluded: set) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Pairs closer than the cutoff that are not of an excluded type pair, and their squared lengths: rsq is
    computed as LAMMPS computes it (dx*dx + dy*dy + dz*dz, left to right) and compared as it does (rsq < cutsq),
    so the count is the same bit for bit."""
    first, second = cell_pairs(xyz, cutoff)
    delta = xyz[first] - xyz[second]
    rsq = delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1] + delta[:, 2] * delta[:, 2]
    keep = rsq < cutoff * cutoff
    for a, b in excluded:
        ta, tb = types[first], types[second]
        keep &= ~(((ta == a) & (tb == b)) | ((ta == b) & (tb == a)))
    return first[keep], second[keep], rsq[keep]


def checked(reader: conflux.SnapshotReader) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The snapshot's positions, ids and types, refused with a message naming it if its writer (another component,
    untrusted) wrote something no atom can be: ids must be distinct whole numbers >= 1, coordinates finite."""
    where = f'snapshot {reader.number} of "{reader.segment.name}" (step {reader.step:g})'
    xyz = reader.coordinates.reshape(-1, 3)
    ids, types = reader.field("id"), reader.field("type")
    if not numpy.isfinite(xyz).all():
        raise conflux.ConfluxError(f"{where}: a coordinate is not finite")
    if not (numpy.all(ids >= 1) and numpy.all(ids < 2**31) and numpy.all(ids == numpy.floor(ids))):
        raise conflux.ConfluxError(f"{where}: an atom id is not a whole number from 1 to 2^31 - 1")
    integer_ids = ids.astype(numpy.int64)
    if numpy.unique(integer_ids).size != integer_ids.size:
        raise conflux.ConfluxError(f"{where}: two atoms have one id")
    return xyz, integer_ids, types


def main() -> int:
    with conflux.connect() as app:
        os.nice(int(app.args.get("nice", 10)))
        cutoff = float(app.args.get("bond_cutoff", 1.5))
        excluded = {tuple(pair) for pair in app.args.get("exclude", [[2, 3]])}
        edges = numpy.linspace(float(app.args.get("shortest", 0.9)), cutoff, int(app.args.get("bins", 12)) + 1)
        app.ready()
        reader = app.snapshot("atoms")
        print(f"numpy {numpy.__version__} on Python {sys.version.split()[0]}; bonds shorter than {cutoff:g}", flush=True)
        first_bonds, first_step = None, None
        while app.next_snapshot(reader) is not None:
            xyz, ids, types = checked(reader)
            i, j, rsq = bonds(xyz, types, cutoff, excluded)
            # Atoms arrive in LAMMPS's order, which changes when it sorts them: a bond is its two atoms' ids.
            low, high = numpy.minimum(ids[i], ids[j]), numpy.maximum(ids[i], ids[j])
            keys = numpy.sort(low * (1 << 31) + high)
            if first_bonds is None:
                first_bonds, first_step = keys, reader.step
            broken = int(first_bonds.size - numpy.isin(first_bonds, keys, assume_unique=True).sum())
            histogram, _ = numpy.histogram(numpy.sqrt(rsq), bins=edges)
            print(
                f"step {reader.step:.0f}: {keys.size} bonds, {broken} broken since step {first_step:.0f} "
                f"(snapshot {reader.number}, {reader.skipped} skipped so far); lengths {edges[0]:g}-{edges[-1]:g} "
                f"in {histogram.size} bins: {' '.join(str(count) for count in histogram)}",
                flush=True,
            )
        print(f"done: analysed {reader.read} snapshots, skipped {reader.skipped}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
