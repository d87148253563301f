#!/usr/bin/env python3
"""Component "legacy": a solver written against numpy 1.x. It calls
numpy.product and numpy.float_, which numpy 2.0 removed, so it needs a numpy
1 — Debian bookworm's 1.24, in its own stack (numpy1.stack.yaml). It owns the
temperature on its mesh and relaxes it towards the flux it receives."""

import sys


def refuse(reason: str) -> None:
    """Ends the component at once, saying which dependency is missing; the driver names the component."""
    print(
        f"legacy solver: {reason}. It needs numpy 1.x; this host cannot give it that beside the modern solver's "
        "numpy 2 — run it in its own stack: enclave {kind: container, container: {stack: numpy1}}",
        file=sys.stderr,
    )
    sys.exit(3)


try:
    import numpy
except ImportError:
    refuse(f"{sys.executable} (Python {sys.version.split()[0]}) has no numpy")
if int(numpy.__version__.split(".")[0]) != 1:
    refuse(f"{sys.executable} has numpy {numpy.__version__}, and numpy 2.0 removed numpy.product and numpy.float_")

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
        points = numpy.random.RandomState(int(component.args.get("seed", 1))).random_sample(3 * count)
        mesh.coordinates[:] = points
        temperature, flux = mesh.field("temperature"), mesh.field("flux")
        x, y = points[:count], points[count : 2 * count]
        temperature[:] = numpy.sin(3 * x) * numpy.cos(2 * y)
        flux[:] = 0
        half = numpy.float_(0.5)  # numpy 1 only
        print(
            f"numpy {numpy.__version__} on Python {sys.version.split()[0]} ({debian_release()}); "
            f"{count} points, {numpy.product(mesh.coordinates.shape)} coordinates"  # numpy.product: numpy 1 only
        )

        def step(iteration: int) -> None:
            temperature[:] = half * temperature + half * numpy.tanh(flux)

        component.loop(step)
        print(f"done: mean temperature {float(temperature.mean()):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
