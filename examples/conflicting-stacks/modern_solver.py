#!/usr/bin/env python3
"""Component "modern": a solver written against numpy 2. It calls
numpy.cumulative_sum and numpy.vecdot, which came with numpy 2.0 and 2.1, so it
needs a numpy 2 — Debian trixie's 2.2, in its own stack (numpy2.stack.yaml). It
owns the flux on its mesh, computed from the temperature it receives."""

import sys


def refuse(reason: str) -> None:
    """Ends the component at once, saying which dependency is missing; the driver names the component."""
    print(
        f"modern solver: {reason}. It needs numpy 2.1 or later; this host cannot give it that beside the legacy "
        "solver's numpy 1 — run it in its own stack: enclave {kind: container, container: {stack: numpy2}}",
        file=sys.stderr,
    )
    sys.exit(3)


try:
    import numpy
except ImportError:
    refuse(f"{sys.executable} (Python {sys.version.split()[0]}) has no numpy")
if not hasattr(numpy, "cumulative_sum"):
    refuse(f"{sys.executable} has numpy {numpy.__version__}, which has no numpy.cumulative_sum (new in 2.1)")

import conflux  # noqa: E402  (after the check: its message must come first)


def debian_release() -> str:
    try:
        with open("/etc/debian_version", encoding="ascii") as file:
            return f"Debian {file.read().strip()}"
    except OSError:
        return "an unknown system"


def main() -> int:
    with conflux.connect() as component:
        count = int(component.args.get("points", 2000))
        mesh = component.share_mesh("surface", 3, count, "soa", ["temperature", "flux"])
        points = numpy.random.default_rng(int(component.args.get("seed", 2))).random(3 * count)
        mesh.coordinates[:] = points
        temperature, flux = mesh.field("temperature"), mesh.field("flux")
        xyz = points.reshape(3, count)
        weights = numpy.cumulative_sum(numpy.full(3, 1.0 / 6.0))  # numpy 2.1 and later
        flux[:] = 0
        print(f"numpy {numpy.__version__} on Python {sys.version.split()[0]} ({debian_release()}); {count} points")

        def step(iteration: int) -> None:
            # flux = the temperature received, tilted by a weighted height (numpy.vecdot: numpy 2 only)
            flux[:] = temperature + 0.1 * numpy.vecdot(xyz.T, weights)

        component.loop(step)
        print(f"done: mean flux {float(flux.mean()):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
