"""Checks the Python Dirichlet numerics (examples/partitioned-heat/heat_dirichlet.py)
alone: STEPS steps of DT given the exact interface temperature from u. Prints
one JSON object: the largest relative L2 error over the steps, the largest
relative deviation of the returned flux from the exact ∂u/∂x, and the final
nodal values (to compare with the C side's).

    dirichlet_check.py EXAMPLE_DIR NX NY STEPS DT
"""

import json
import sys

sys.path.insert(0, sys.argv[1])
import heat_dirichlet  # noqa: E402

nx, ny, steps, dt = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
side = heat_dirichlet.DirichletSide(nx, ny)
side.initialize(0.0)
worst_error = worst_flux = 0.0
for step in range(1, steps + 1):
    t = step * dt
    flux = side.step(dt, t, heat_dirichlet.exact(1.0, side.interface_y, t))
    worst_error = max(worst_error, side.relative_error(t))
    worst_flux = max(worst_flux, float(max(abs(flux - 2.0)) / 2.0))
print(json.dumps({"error": worst_error, "fluxDeviation": worst_flux, "values": side.values.reshape(-1).tolist()}))
