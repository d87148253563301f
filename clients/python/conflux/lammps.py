"""conflux.lammps: a running LAMMPS, through its own Python module (`lammps`, Debian python3-lammps), as Conflux
meshes and snapshots.

A LAMMPS component that publishes its atoms every 100 steps for an analysis that runs free (the composition's
`asynchronous`; examples/lammps-crack/crack_md.py is the whole of it)::

    import lammps
    import conflux
    import conflux.lammps as cl

    lmp = lammps.lammps(cmdargs=["-screen", "none", "-log", "none"])
    cl.load_input(lmp, "/usr/share/lammps/examples/crack/in.crack")   # every command but run: [5000]
    with conflux.connect() as app:
        atoms = cl.share_atoms(app, lmp, "atoms", fields=("id", "type"), snapshot=True)
        lmp.command("run 0")
        cl.publish(atoms, lmp)                        # the state before the first step
        app.ready()
        while app.next_step() >= 0:
            lmp.command("run 100 pre no post no")
            cl.publish(atoms, lmp)                    # never waits for a reader
            app.done()

`share_atoms(..., snapshot=False)` shares a plain mesh instead, for transfers, and `write_atoms(mesh, lmp)` fills
it before done().

What is copied, and how often (clients/python/README.md, "LAMMPS"): LAMMPS allocates its per-atom arrays itself,
grows them when atoms arrive and reorders them when it sorts atoms (every 1000 steps by default), so a segment
cannot be LAMMPS's memory. The adapter reads that memory through views that copy nothing (`lmp.numpy.extract_atom`
with numpy, the pointers of `lmp.extract_atom` without) and writes each value once into the segment: coordinates
and double-valued quantities in one copy, integer ones (id, type) in one converting copy to doubles. The atoms
stay in LAMMPS's own order, which changes, so a reader indexes by the `id` field. A LAMMPS of one MPI rank only:
a partitioned one would gather its atoms first (not done here).
"""

from __future__ import annotations

import ctypes

from . import ConfluxError, Mesh, SnapshotWriter, _numpy

__all__ = ["load_input", "atom_count", "share_atoms", "copy_atoms", "write_atoms", "publish"]

# Per-atom 3-vectors whose components a field may name: vx is column 0 of v, and so on.
_VECTORS = {"x": "x", "v": "v", "f": "f"}


def load_input(lmp, path: str) -> list[int]:
    """Executes the input deck at `path` except its run commands (the coupling decides how far LAMMPS runs);
    returns the lengths of the runs it left out. Continuation lines (&) and comments are read as LAMMPS reads
    them."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    kept, runs, pending = [], [], ""
    for raw in text.splitlines():
        line = pending + raw
        if line.rstrip().endswith("&"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        words = line.split("#", 1)[0].split()
        if words and words[0] == "run":
            try:
                runs.append(int(float(words[1])))
            except (IndexError, ValueError):
                raise ConfluxError(f"{path}: a run command without a number of steps: {line.strip()!r}") from None
            continue
        kept.append(line)
    lmp.commands_string("\n".join(kept))
    return runs


def atom_count(lmp) -> int:
    """The number of atoms, checked to be all on this process (a LAMMPS of one MPI rank)."""
    total = int(lmp.get_natoms())
    local = int(lmp.extract_global("nlocal"))
    if local != total:
        raise ConfluxError(
            f"LAMMPS holds {local} of its {total} atoms in this process (it runs on several MPI ranks); "
            "conflux.lammps shares the atoms of a LAMMPS of one rank"
        )
    return total


def _source(name: str) -> tuple[str, int | None]:
    """The LAMMPS per-atom quantity a field reads, and its column: vx is (v, 0); id is (id, None)."""
    if len(name) == 2 and name[0] in _VECTORS and name[1] in "xyz":
        return _VECTORS[name[0]], "xyz".index(name[1])
    return name, None


def share_atoms(app, lmp, name: str = "atoms", fields=("id",), snapshot: bool = False) -> Mesh | SnapshotWriter:
    """Shares LAMMPS's atoms as mesh `name` of component `app`: 3-D, interleaved (x, y, z per atom, LAMMPS's own
    layout; z is 0 in a 2-D run), one point per atom, one field per per-atom quantity named in `fields` (id, type,
    q, vx, fy, ...). With snapshot=True as a snapshot (written with publish()), else as a mesh (write_atoms())."""
    count = atom_count(lmp)
    for field in fields:
        source, _ = _source(field)
        if lmp.extract_atom(source) is None:
            raise ConfluxError(f'field "{field}": LAMMPS has no per-atom quantity "{source}" in this run')
    share = app.share_snapshot if snapshot else app.share_mesh
    return share(name, 3, count, "interleaved", list(fields))


def copy_atoms(lmp, coordinates, fields: dict) -> None:
    """Copies LAMMPS's coordinates and the named per-atom quantities into `coordinates` (count x 3 doubles) and
    `fields` ({name: count doubles}), views of a segment: each value once, read through views of LAMMPS's
    memory that copy nothing."""
    count = atom_count(lmp)
    if len(coordinates) != 3 * count:
        raise ConfluxError(f"LAMMPS has {count} atoms now; the mesh was shared for {len(coordinates) // 3}")
    numpy = _numpy()
    if numpy is not None and not isinstance(coordinates, memoryview):
        numpy.copyto(coordinates.reshape(count, 3), lmp.numpy.extract_atom("x", nelem=count, dim=3))
        for name, target in fields.items():
            source, column = _source(name)
            values = lmp.numpy.extract_atom(source, nelem=count, dim=1 if column is None else 3)
            numpy.copyto(target, values if column is None else values[:, column], casting="unsafe")
        return
    # No numpy: LAMMPS's arrays through ctypes. x is a double** whose rows lie in one block (LAMMPS's
    # memory->create), so the coordinates are one memmove; other quantities element by element.
    rows = lmp.extract_atom("x")
    ctypes.memmove(_address(coordinates), ctypes.cast(rows[0], ctypes.c_void_p), 24 * count)
    for name, target in fields.items():
        source, column = _source(name)
        pointer = lmp.extract_atom(source)
        if column is None:
            for index in range(count):
                target[index] = float(pointer[index])
        else:
            for index in range(count):
                target[index] = pointer[index][column]


def _address(view: memoryview) -> int:
    """Where a (contiguous) memoryview's data lie, for memmove."""
    return ctypes.addressof(ctypes.c_char.from_buffer(view))


def write_atoms(mesh: Mesh, lmp) -> None:
    """Fills a mesh shared by share_atoms(snapshot=False) with LAMMPS's atoms as they are now."""
    copy_atoms(lmp, mesh.coordinates, {field: mesh.field(field) for field in mesh.fields})


def publish(writer: SnapshotWriter, lmp) -> int:
    """Publishes LAMMPS's atoms as they are now as the next snapshot of `writer` (share_atoms(snapshot=True)),
    stamped with LAMMPS's timestep and time; never waits for a reader. Returns the snapshot's number."""
    buffer = writer.begin()
    copy_atoms(lmp, buffer.coordinates, {field: buffer.field(field) for field in writer.spec.fields})
    step = int(lmp.extract_global("ntimestep"))
    return writer.publish(step, step * float(lmp.extract_global("dt")))
