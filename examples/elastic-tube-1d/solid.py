#!/usr/bin/env python3
"""The wall (solid) of the 1-D elastic tube, a Conflux component written in
Python on the conflux client (clients/python/conflux/), with the tube law of
tube_wall.py. It goes second in every window: it reads the pressure the fluid
wrote at the window's end and writes the cross-sectional area.

args: cells (100, as the tutorial), output (a file name: the pressure it read
and the area it wrote after every window, as CSV rows
"window,t,x,pressure,cross_section"; absent: no file).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# This conflux's client: `conflux run` puts it on the component's PYTHONPATH, and a component runs only under
# `conflux run` (connect() needs the run it starts), so the script names no path to it of its own.
import conflux

sys.path.insert(0, HERE)
import tube_wall  # noqa: E402  (the numerics, next to this file)


def main() -> int:
    try:
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: connect() failed: {error}", file=sys.stderr)
        return 1
    output = None
    with component:
        try:
            cells = component.args.get("cells", 100)
            if not isinstance(cells, int) or isinstance(cells, bool) or not 2 <= cells <= 100_000:
                raise ValueError(f"args.cells must be a whole number from 2 to 100,000, got {cells!r}")
            name = component.args.get("output")
            if name is not None and not isinstance(name, str):
                raise ValueError(f"args.output must be a file name, got {name!r}")
            nodes = cells + 1
            x = [tube_wall.LENGTH * i / cells for i in range(nodes)]
            if name is not None:
                output = open(name, "w", encoding="utf-8")
                output.write("window,t,x,pressure,cross_section\n")

            mesh = component.share_mesh("nodes", 2, nodes, "soa", ["pressure", "cross_section"])
            mesh.coordinates[:nodes] = x
            mesh.coordinates[nodes:] = 0.0
            cross_section = mesh.field("cross_section")
            cross_section[:] = tube_wall.REFERENCE_AREA  # the initial area, which the fluid reads first
            pressure = mesh.field("pressure")
            component.ready()

            def write_state(window: int, t: float) -> None:
                if output is not None:
                    for i in range(nodes):
                        p, a = float(pressure[i]), float(cross_section[i])
                        output.write(f"{window},{t:.10g},{x[i]:.10g},{p!r},{a!r}\n")

            t = 0.0
            window = 0
            window_end = None  # of the window attempt under way
            while component.is_coupling_ongoing():
                # The wall has no state, but it answers the checkpoint requests with its time.
                if component.requires_writing_checkpoint():
                    checkpoint_t = t
                    component.checkpoint_written(t)
                if component.requires_reading_checkpoint():
                    t = checkpoint_t
                    component.checkpoint_restored(t)
                dt = component.max_time_step()  # one step a window, as the tutorial
                if window_end is None or t >= window_end - 1e-9 * max(1.0, abs(t)):
                    if window_end is not None:  # a new window: the one before is over
                        write_state(window, t)
                        window += 1
                    window_end = t + dt
                component.read("nodes", "pressure", dt)  # into the mesh's pressure field
                cross_section[:] = tube_wall.area(pressure)
                component.advance(dt)
                t += dt
            write_state(window, t)
        except (conflux.ConfluxError, ValueError, OSError) as error:
            print(f"ERROR: Solid failed: {error}", file=sys.stderr)
            return 1
        finally:
            if output is not None:
                output.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
