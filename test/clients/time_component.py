"""A component of the time API's tests (test/clients/time-api.test.ts), in
Python on the client: the same as time_component.c (a mesh "m" with fields
"in", which the driver writes, and "out", which this component writes with
what it read at each step's end)."""

import sys

import conflux


def main() -> int:
    app = conflux.connect()
    with app:
        try:
            count = app.args.get("count", 3)
            solver_dt = app.args.get("dt", 0.025)
            mode = app.args.get("mode", "normal")
            mesh = app.share_mesh("m", 1, count, "soa", ["in", "out"])
            out = mesh.field("out")
            for j in range(count):
                mesh.coordinates[j] = j
                out[j] = 10.0 * j
            app.ready()
            t = saved = 0.0
            last = None
            while app.is_coupling_ongoing():
                if (app.window(), app.iteration()) != last:
                    last = (app.window(), app.iteration())
                    print(f"attempt {last[0]} {last[1]} {app.time()!r}", flush=True)
                if app.requires_writing_checkpoint():
                    saved = t
                    app.checkpoint_written(t)
                if app.requires_reading_checkpoint() and mode != "ignore-restore":
                    t = saved
                    app.checkpoint_restored(t)
                left = app.max_time_step()
                dt = 2 * left if mode == "overstep" else solver_dt if mode == "substeps" else min(solver_dt, left)
                values = app.read("m", "in", left if mode == "overstep" else dt)
                out[:] = values
                app.advance(dt)
                t += dt
        except conflux.ConfluxError as error:
            print(f"ERROR ({type(error).__name__}): {error}", file=sys.stderr)
            return 1
    print("bye", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
