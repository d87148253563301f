"""The scipy peer of `conflux bench map`: a long-lived process that answers one
JSON request per line on stdin with one JSON line on stdout, so that its
measurements can be interleaved with Conflux's own in the same run. Points come
as raw little-endian float64 files (x0 y0 z0 x1 ...) written by the benchmark:
the very points Conflux maps. Every time is taken here with perf_counter around
the library calls alone (no pipe, no process start, no file reading).

Requests:
  {"op": "hello"}                                   -> versions
  {"op": "load", "name": N, "path": P, "count": C}  -> keeps the points as N
  {"op": "nearest", "source": S, "target": T}       -> cKDTree(S) + query(T, k=1)
  {"op": "rbf", "source": S, "target": T, "kernel": K, "epsilon": E}
                                                    -> RBFInterpolator(S, f, K) then its evaluation at T
  {"op": "drop", "name": N}
Answers carry "ok": true and the figures, or "ok": false and "error".
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.interpolate import RBFInterpolator
from scipy.spatial import cKDTree

points = {}


def field(xyz):
    # The benchmark's field: sin of the point index, as Conflux's apply gets it.
    return np.sin(np.arange(len(xyz), dtype=np.float64))


def nearest(request):
    source, target = points[request["source"]], points[request["target"]]
    start = time.perf_counter()
    tree = cKDTree(source)
    built = time.perf_counter()
    _, partners = tree.query(target, k=1)
    queried = time.perf_counter()
    values = field(source)
    out = np.empty(len(target))
    gather_start = time.perf_counter()
    np.take(values, partners, out=out)
    gathered = time.perf_counter()
    return {
        "setup_s": queried - start,
        "build_s": built - start,
        "query_s": queried - built,
        "apply_s": gathered - gather_start,
        # The sum of the partners' indices: equal to Conflux's when both found the same nearest points.
        "partner_sum": int(partners.sum()),
    }


def rbf(request):
    source, target = points[request["source"]], points[request["target"]]
    values = field(source)
    options = {"kernel": request["kernel"]}
    if request.get("epsilon") is not None:
        options["epsilon"] = request["epsilon"]
    start = time.perf_counter()
    interpolant = RBFInterpolator(source, values, **options)
    fitted = time.perf_counter()
    mapped = interpolant(target)
    evaluated = time.perf_counter()
    return {
        "setup_s": fitted - start,
        "apply_s": evaluated - fitted,
        "value_sum": float(mapped.sum()),
    }


def answer(request):
    op = request.get("op")
    if op == "hello":
        return {"scipy": scipy.__version__, "numpy": np.__version__}
    if op == "load":
        data = np.fromfile(request["path"], dtype="<f8")
        points[request["name"]] = data.reshape(int(request["count"]), 3)
        return {}
    if op == "drop":
        points.pop(request["name"], None)
        return {}
    if op == "nearest":
        return nearest(request)
    if op == "rbf":
        return rbf(request)
    raise ValueError(f"unknown request {op!r}")


for line in sys.stdin:
    try:
        reply = {"ok": True, **answer(json.loads(line))}
    except Exception as error:  # every failure goes back as an answer, never a dead pipe
        reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
