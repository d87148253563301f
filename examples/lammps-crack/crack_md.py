#!/usr/bin/env python3
"""Component "md": LAMMPS runs its 2-D crack example (Debian lammps-examples, in.crack: 8,141 atoms, a notched
Lennard-Jones solid pulled apart) through its own Python module, in a stack of its own (lammps.stack.yaml). Every
go runs `every` steps and publishes the atoms' positions, ids and types as a snapshot (conflux.lammps), for the
bond analytics to read while LAMMPS runs on; it never waits for the analytics.

args: input (the deck; the Debian example by default), every (steps a go, 100), publish (false: LAMMPS alone,
for `conflux bench lammps`), reference_cutoff (when given, LAMMPS itself counts the bonds shorter than it at
every snapshot, half the sum of compute coord/atom, and prints the count: the analytics' independent check)."""

import os
import sys
import time

import lammps  # Debian python3-lammps

# This conflux's client: `conflux run` puts it on the component's PYTHONPATH.
import conflux
import conflux.lammps as cl

CRACK = "/usr/share/lammps/examples/crack/in.crack"


def main() -> int:
    with conflux.connect() as app:
        every = int(app.args.get("every", 100))
        publishing = bool(app.args.get("publish", True))
        cutoff = app.args.get("reference_cutoff")
        lmp = lammps.lammps(cmdargs=["-screen", "none", "-log", "none", "-nocite"])
        runs = cl.load_input(lmp, app.args.get("input", CRACK))
        if cutoff is not None:
            # coord/atom counts, for every atom, the atoms closer than the cutoff, as LAMMPS's neighbour lists
            # do (honouring the deck's neigh_modify exclude): each bond is counted from both of its atoms.
            lmp.commands_string(
                f"compute conflux_coord all coord/atom cutoff {float(cutoff)!r}\n"
                "compute conflux_bonds all reduce sum c_conflux_coord"
            )
        lmp.command("run 0")
        atoms = cl.share_atoms(app, lmp, "atoms", ("id", "type"), snapshot=True) if publishing else None
        print(
            f"LAMMPS {lmp.version()} on {os.uname().nodename}: {cl.atom_count(lmp)} atoms; the deck runs {runs} steps, "
            f"this run {every} a go{'' if publishing else ' (alone: no snapshots)'}",
            flush=True,
        )

        def snapshot() -> None:
            if atoms is not None:
                cl.publish(atoms, lmp)
            if cutoff is not None:
                total = lmp.extract_compute("conflux_bonds", lammps.LMP_STYLE_GLOBAL, lammps.LMP_TYPE_SCALAR)
                print(f"step {int(lmp.extract_global('ntimestep'))}: {total / 2:.0f} bonds by coord/atom", flush=True)

        snapshot()
        app.ready()
        started = time.perf_counter()
        while app.next_step() >= 0:
            lmp.command(f"run {every} pre no post no")
            snapshot()
            app.done()
        steps = int(lmp.extract_global("ntimestep"))
        published = 0 if atoms is None else atoms.count
        print(f"done: {steps} steps in {time.perf_counter() - started:.2f} s, {published} snapshots", flush=True)
        lmp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
