#!/usr/bin/env python3
"""appB of the talk, written in Python against the conflux Python client
(clients/python/conflux/). It computes exactly what
src/bench/seed-workload.ts computes for the application that owns "flux":
the same points, k-nearest-neighbour graph (brute force, ties keep the lower
index first), smoothing and relaxation, in the same floating-point order. With
numpy the loops are vectorised (about a second to start for 3,000 points);
without it they are plain Python (a few seconds to start, ~10 ms a step)."""

import array
import importlib
import math
import sys

# This conflux's client: `conflux run` puts it on the component's PYTHONPATH, and a component runs only under
# `conflux run` (connect() needs the run it starts), so the script names no path to it of its own.
import conflux

MASK = 0xFFFFFFFF


def random_stream(seed: int):
    """mulberry32, as in seed-workload.ts: the same stream in every language (uint32 arithmetic)."""
    state = seed & MASK

    def next_value() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        value = state
        value = ((value ^ (value >> 15)) * (value | 1)) & MASK
        value ^= (value + ((value ^ (value >> 7)) * (value | 61))) & MASK
        return (value ^ (value >> 14)) / 4294967296

    return next_value


def seed_points(count: int, seed: int) -> list[float]:
    """Uniform random points in the unit cube, structure of arrays (x[], y[], z[])."""
    next_value = random_stream(seed)
    return [next_value() for _ in range(3 * count)]


def setting(args: dict, key: str, fallback: int) -> int:
    value = args.get(key, fallback)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"args.{key} must be a whole number ≥ 0, got {value!r}")
    return value


class PlainPython:
    """The physics on lists and memoryviews."""

    @staticmethod
    def neighbour_graph(points: list[float], count: int, k: int) -> list[list[int]]:
        xs, ys, zs = points[:count], points[count : 2 * count], points[2 * count :]
        graph = []
        for point in range(count):
            x, y, z = xs[point], ys[point], zs[point]
            distances = [math.inf] * k
            row = [0] * k
            for other in range(count):
                dx = xs[other] - x
                dy = ys[other] - y
                dz = zs[other] - z
                distance = dx * dx + dy * dy + dz * dz
                if distance >= distances[k - 1] or other == point:
                    continue
                slot = k - 1
                while slot > 0 and distances[slot - 1] > distance:
                    distances[slot] = distances[slot - 1]
                    row[slot] = row[slot - 1]
                    slot -= 1
                distances[slot] = distance
                row[slot] = other
            graph.append(row)
        return graph

    def __init__(self, owned, received, graph, k: int, sweeps: int):
        self.owned, self.received, self.graph, self.k, self.sweeps = owned, received, graph, k, sweeps

    def step(self) -> None:
        values = self.owned.tolist()
        divisor = self.k + 1
        for _ in range(self.sweeps):
            smoothed = []
            for point, row in enumerate(self.graph):
                total = values[point]
                for neighbour in row:
                    total += values[neighbour]
                smoothed.append(total / divisor)
            values = smoothed
        received = self.received.tolist()
        self.owned[:] = array.array("d", [value + 0.1 * (other - value) for value, other in zip(values, received)])


class WithNumpy:
    """The same physics vectorised; every element sees the same operations in the same order."""

    @staticmethod
    def neighbour_graph(numpy, points, count: int, k: int):
        xs, ys, zs = points[:count], points[count : 2 * count], points[2 * count :]
        graph = numpy.zeros((count, k), dtype=numpy.intp)
        for point in range(count):
            dx = xs - xs[point]
            dy = ys - ys[point]
            dz = zs - zs[point]
            distances = dx * dx + dy * dy + dz * dz
            distances[point] = numpy.inf
            # A stable sort keeps equal distances in index order, as the insertion in seed-workload.ts does.
            nearest = numpy.argsort(distances, kind="stable")[:k]
            nearest = nearest[numpy.isfinite(distances[nearest])]
            graph[point, : len(nearest)] = nearest
        return graph

    def __init__(self, numpy, owned, received, graph, k: int, sweeps: int):
        self.numpy, self.owned, self.received, self.graph, self.k, self.sweeps = numpy, owned, received, graph, k, sweeps
        self.columns = [graph[:, column].copy() for column in range(k)]

    def step(self) -> None:
        owned = self.owned
        for _ in range(self.sweeps):
            total = owned.copy()
            for column in self.columns:
                total += owned[column]
            owned[:] = total / (self.k + 1)
        owned += 0.1 * (self.received - owned)


def main() -> int:
    try:
        # Set up and handshake: join the run, attach the two command queues.
        component = conflux.connect()
    except conflux.ConfluxError as error:
        print(f"ERROR: connect() failed: {error}", file=sys.stderr)
        return 1
    with component:
        try:
            points = setting(component.args, "points", 3000)
            seed = setting(component.args, "seed", 1)
            sweeps = setting(component.args, "sweeps", 3)
            neighbours = setting(component.args, "neighbours", 6)
            # Allocate the mesh shared with the driver and publish its metadata.
            mesh = component.share_mesh("surface", 3, points, "soa", ["temperature", "flux"])
            coordinates = seed_points(points, seed)
            mesh.coordinates[:] = array.array("d", coordinates)
            owned, received = mesh.field("flux"), mesh.field("temperature")
            owned[:] = array.array(
                "d",
                [
                    math.sin(3 * coordinates[p]) * math.cos(2 * coordinates[points + p]) + coordinates[2 * points + p]
                    for p in range(points)
                ]
            )
            # The client hands out numpy arrays when numpy imports, memoryviews otherwise.
            if not isinstance(mesh.coordinates, memoryview):
                numpy = importlib.import_module("numpy")
                graph = WithNumpy.neighbour_graph(numpy, mesh.coordinates, points, neighbours) if neighbours else None
                physics = WithNumpy(numpy, owned, received, graph, neighbours, sweeps)
            else:
                graph = PlainPython.neighbour_graph(coordinates, points, neighbours) if neighbours else [[]] * points
                physics = PlainPython(owned, received, graph, neighbours, sweeps)
            # Notify the driver, wait for its ACK, then step until it says stop.
            component.loop(lambda iteration: physics.step())
        except (conflux.ConfluxError, ValueError) as error:
            print(f"ERROR: appB failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
