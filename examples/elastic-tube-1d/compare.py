#!/usr/bin/env python3
"""Compares an elastic tube run with a reference and prints the largest
difference of each field.

    compare.py OURS REFERENCE [--tolerance REL] [--json]

OURS is what this example's fluid or solid writes (args.output: CSV rows
window,t,x,<fields>), or a directory or .tar.gz of the same kind as REFERENCE.

REFERENCE is one of the tutorial's reference results
(reference-results/fluid-python_solid-python.tar.gz and its siblings in
preCICE's tutorials, kept there with Git LFS), unpacked or not, or any run that
wrote the same files:
- preCICE's VTK exports of the coupling meshes, <mesh>-<participant>.dt<N>.vtk
  after window N (and .init.vtk at t = 0): the pressure is taken from
  Fluid-Nodes-Mesh-Fluid (the fluid writes it), the cross-sectional area from
  Solid-Nodes-Mesh-Solid (the wall writes it), each where the other mesh is
  missing from the other;
- or the tutorial fluid's own output, out_fluid_<k>.vtk after window k + 1
  (velocity, pressure, and the area under the name "diameter").

Windows are numbered from 0 (the first window's end, t = 0.01) and nodes
matched by their x coordinate. For each field it prints the largest absolute
difference, the largest difference relative to the reference's largest
magnitude in that window, and where they are. With --tolerance it exits 1
when a relative difference is above REL. Needs only the Python standard
library.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import json
import math
import os
import re
import sys
import tarfile

FIELDS = ("pressure", "cross_section", "velocity")
# Names in the reference files → ours.
ALIASES = {"Pressure": "pressure", "CrossSectionLength": "cross_section", "diameter": "cross_section"}
EXPORT = re.compile(r"(?:^|/)(?P<mesh>[A-Za-z0-9_]+-Nodes-Mesh)-(?P<participant>[A-Za-z0-9_]+)\.(?:dt(?P<window>\d+)|init)\.vtk$")
TUTORIAL_OUTPUT = re.compile(r"(?:^|/)out_fluid_(?P<k>\d+)\.vtk$")
# The participant that writes each field, for preCICE's exports.
WRITER = {"pressure": ("Fluid-Nodes-Mesh", "Fluid"), "cross_section": ("Solid-Nodes-Mesh", "Solid")}


def parse_vtk(text: str, where: str) -> tuple[list[float], dict[str, list[float]]]:
    """The points' x and every point field (first component) of a legacy ASCII VTK file."""
    tokens = text.split()
    position = 0
    xs: list[float] = []
    fields: dict[str, list[float]] = {}
    count = 0

    def take(n: int) -> list[str]:
        nonlocal position
        if position + n > len(tokens):
            raise ValueError(f"{where}: ends early")
        chunk = tokens[position : position + n]
        position += n
        return chunk

    while position < len(tokens):
        word = tokens[position]
        position += 1
        if word == "POINTS":
            count = int(take(2)[0])
            values = [float(value) for value in take(3 * count)]
            xs = values[0::3]
        elif word == "CELLS":
            _, size = take(2)
            take(int(size))
        elif word == "CELL_TYPES":
            take(int(take(1)[0]))
        elif word == "POINT_DATA":
            count = int(take(1)[0])
        elif word == "SCALARS":
            name, _kind = take(2)
            components = 1
            if tokens[position] != "LOOKUP_TABLE" and tokens[position].isdigit():
                components = int(take(1)[0])
            if tokens[position] == "LOOKUP_TABLE":
                take(2)
            values = [float(value) for value in take(count * components)]
            fields[name] = values[0::components]
        elif word == "VECTORS":
            name, _kind = take(2)
            fields[name] = [float(value) for value in take(3 * count)][0::3]
        elif word == "FIELD":
            _, arrays = take(2)
            for _ in range(int(arrays)):
                name, components, tuples, _kind = take(4)
                values = [float(value) for value in take(int(components) * int(tuples))]
                fields[name] = values[0 :: int(components)]
    if not xs:
        raise ValueError(f"{where}: no POINTS")
    return xs, fields


def read_files(path: str) -> dict[str, str]:
    """Every .vtk and .csv file of a directory (recursively) or a .tar.gz, by name, as text."""
    files: dict[str, str] = {}
    if os.path.isdir(path):
        for directory, _, names in os.walk(path):
            for name in names:
                if name.endswith((".vtk", ".csv")):
                    full = os.path.join(directory, name)
                    with open(full, encoding="utf-8") as handle:
                        files[os.path.relpath(full, path)] = handle.read()
    elif path.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith((".vtk", ".csv")):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        files[member.name] = handle.read().decode("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            files[os.path.basename(path)] = handle.read()
    return files


# A run: window → field → {x: value}
Run = dict[int, dict[str, dict[float, float]]]


def read_csv(text: str, where: str) -> Run:
    run: Run = {}
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"window", "x"} <= set(reader.fieldnames):
        raise ValueError(f"{where}: not this example's output (no window and x columns)")
    for row in reader:
        window = int(row["window"])
        for field in FIELDS:
            if row.get(field) not in (None, ""):
                run.setdefault(window, {}).setdefault(field, {})[float(row["x"])] = float(row[field])
    return run


def read_run(path: str) -> Run:
    files = read_files(path)
    if not files:
        raise ValueError(f"{path}: no .vtk or .csv files")
    csvs = [name for name in files if name.endswith(".csv")]
    if csvs and not any(EXPORT.search(name) or TUTORIAL_OUTPUT.search(name) for name in files):
        run: Run = {}
        for name in sorted(csvs):
            for window, fields in read_csv(files[name], name).items():
                for field, values in fields.items():
                    run.setdefault(window, {}).setdefault(field, {}).update(values)
        return run
    run = {}
    # preCICE's exports: each field from the mesh of the participant that writes it, else from any mesh.
    exports: dict[tuple[str, str], dict[int, str]] = {}
    for name, text in files.items():
        match = EXPORT.search(name)
        if match and match.group("window") is not None:
            key = (match.group("mesh"), match.group("participant"))
            exports.setdefault(key, {})[int(match.group("window")) - 1] = name
    for field, writer in WRITER.items():
        sources = [writer] + sorted(key for key in exports if key != writer)
        for key in sources:
            found = False
            for window, name in exports.get(key, {}).items():
                xs, values = parse_vtk(files[name], name)
                for their_name, ours in ALIASES.items():
                    if ours == field and their_name in values:
                        run.setdefault(window, {})[field] = dict(zip(xs, values[their_name]))
                        found = True
            if found:
                break
    for name, text in files.items():
        match = TUTORIAL_OUTPUT.search(name)
        if match:
            xs, values = parse_vtk(text, name)
            window = int(match.group("k"))
            for their_name, values_of in values.items():
                field = ALIASES.get(their_name, their_name)
                if field in FIELDS:
                    run.setdefault(window, {}).setdefault(field, dict(zip(xs, values_of)))
    if not run:
        raise ValueError(f"{path}: neither this example's CSV nor preCICE's exports nor the tutorial's output")
    return run


def compare(ours: Run, reference: Run) -> dict:
    report: dict = {"windows": sorted(set(ours) & set(reference)), "fields": {}}
    for field in FIELDS:
        worst_absolute = worst_relative = 0.0
        at_absolute = at_relative = None
        compared = 0
        for window in report["windows"]:
            mine, theirs = ours[window].get(field), reference[window].get(field)
            if not mine or not theirs:
                continue
            scale = max(abs(value) for value in theirs.values()) or 1.0
            their_x = sorted(theirs)
            for x, value in mine.items():
                # The nearest reference node, which must be the same node.
                index = bisect.bisect_left(their_x, x)
                nearest = min(their_x[max(0, index - 1) : index + 1], key=lambda candidate: abs(candidate - x))
                if abs(nearest - x) > 1e-6 * max(1.0, abs(x)):
                    raise ValueError(f"{field}, window {window}: the reference has no node at x = {x}")
                difference = abs(value - theirs[nearest])
                if not math.isfinite(difference):
                    difference = math.inf
                compared += 1
                if difference > worst_absolute or at_absolute is None:
                    worst_absolute, at_absolute = difference, (window, x)
                if difference / scale > worst_relative or at_relative is None:
                    worst_relative, at_relative = difference / scale, (window, x)
        if compared:
            report["fields"][field] = {
                "values": compared,
                "maxAbsolute": worst_absolute,
                "maxAbsoluteAt": {"window": at_absolute[0], "x": at_absolute[1]},
                "maxRelative": worst_relative,
                "maxRelativeAt": {"window": at_relative[0], "x": at_relative[1]},
            }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description="Compare an elastic tube run with a reference.")
    parser.add_argument("ours")
    parser.add_argument("reference")
    parser.add_argument("--tolerance", type=float, help="exit 1 when a relative difference is above this")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    options = parser.parse_args()
    try:
        report = compare(read_run(options.ours), read_run(options.reference))
    except (OSError, ValueError, tarfile.TarError) as error:
        print(f"compare.py: {error}", file=sys.stderr)
        return 2
    if not report["fields"]:
        print("compare.py: no field and window in common", file=sys.stderr)
        return 2
    if options.json:
        print(json.dumps(report))
    else:
        windows = report["windows"]
        print(f"{len(windows)} windows in common ({windows[0]}..{windows[-1]})")
        for field, entry in report["fields"].items():
            at = entry["maxRelativeAt"]
            print(
                f"{field:14} max |difference| {entry['maxAbsolute']:.3e}, relative {entry['maxRelative']:.3e}"
                f" (window {at['window']}, x = {at['x']:g}; {entry['values']} values)"
            )
    if options.tolerance is not None and any(
        not entry["maxRelative"] <= options.tolerance for entry in report["fields"].values()
    ):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
