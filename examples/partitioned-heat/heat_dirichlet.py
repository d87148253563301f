"""The Dirichlet side of the partitioned heat case, in numpy, apart from any
coupling library (the same numerics as heat_dirichlet.c; see heat.h).

    u_t = Δu + f on [0, 1] × [0, 1],  u = 1 + x² + α y² + β t,  f = β − 2 − 2α,

u given on the outer boundary, the interface column x = 1 given by the
coupling; a step returns the interface heat flux ∂u/∂x. Backward Euler in
time, the 5-point Laplacian in space and the second-order one-sided flux are
exact for this solution, so with exact interface data (or once a coupling has
converged) the nodal values are u to rounding.

values[j, i] is node (x_i, y_j); the interface is column i = nx − 1, from y = 0
to y = 1.
"""

from __future__ import annotations

import numpy

ALPHA = 3.0
BETA = 1.2


def exact(x, y, t):
    """The manufactured solution."""
    return 1.0 + x * x + ALPHA * y * y + BETA * t


def source() -> float:
    """f = u_t − Δu."""
    return BETA - 2.0 - 2.0 * ALPHA


class DirichletSide:
    """The left subdomain on a uniform grid of nx × ny nodes."""

    def __init__(self, nx: int = 11, ny: int = 11):
        if not (3 <= nx <= 257 and 3 <= ny <= 257):
            raise ValueError(f"the Dirichlet grid needs 3 to 257 nodes each way, got {nx} × {ny}")
        self.nx, self.ny = nx, ny
        self.hx, self.hy = 1.0 / (nx - 1), 1.0 / (ny - 1)
        self.x = numpy.linspace(0.0, 1.0, nx)
        self.y = numpy.linspace(0.0, 1.0, ny)
        # linspace ends exactly at 1; the nodes between are i * h, as in the C side.
        self.x[1:-1] = numpy.arange(1, nx - 1) * self.hx
        self.y[1:-1] = numpy.arange(1, ny - 1) * self.hy
        self.X, self.Y = numpy.meshgrid(self.x, self.y)
        self.values = numpy.zeros((ny, nx))
        self._inverse = None
        self._factored_dt = None

    @property
    def interface_y(self):
        return self.y

    def initialize(self, t: float) -> None:
        self.values[:, :] = exact(self.X, self.Y, t)

    def _factor(self, dt: float) -> None:
        """(I/dt − Δ_h)⁻¹ over the interior nodes, in rows of constant j."""
        m, rows = self.nx - 2, self.ny - 2
        cx, cy = 1.0 / self.hx**2, 1.0 / self.hy**2
        n = m * rows
        matrix = numpy.zeros((n, n))
        k = numpy.arange(n)
        i, j = k % m, k // m
        matrix[k, k] = 1.0 / dt + 2.0 * cx + 2.0 * cy
        matrix[k[i > 0], k[i > 0] - 1] = -cx
        matrix[k[i < m - 1], k[i < m - 1] + 1] = -cx
        matrix[k[j > 0], k[j > 0] - m] = -cy
        matrix[k[j < rows - 1], k[j < rows - 1] + m] = -cy
        # The matrix is strictly diagonally dominant and well conditioned (its
        # eigenvalues lie in [1/dt, 1/dt + 4/hx² + 4/hy²]), so solving with its
        # inverse costs nothing in accuracy and one product per step.
        self._inverse = numpy.linalg.inv(matrix)
        self._factored_dt = dt

    def step(self, dt: float, t_new: float, temperature) -> numpy.ndarray:
        """One backward Euler step to t_new; `temperature` is the interface column (ny values). Returns the flux."""
        if not (dt > 0.0 and numpy.isfinite(dt)):
            raise ValueError(f"the Dirichlet step needs dt > 0, got {dt}")
        temperature = numpy.asarray(temperature, dtype=float)
        if temperature.shape != (self.ny,) or not numpy.all(numpy.isfinite(temperature)):
            raise ValueError(f"the interface temperature must be {self.ny} finite values, got {temperature!r}")
        if dt != self._factored_dt:
            self._factor(dt)
        u, nx, ny = self.values, self.nx, self.ny
        cx, cy = 1.0 / self.hx**2, 1.0 / self.hy**2
        # The boundary at t_new: the outer sides from u, the interface column from the coupling.
        u[0, : nx - 1] = exact(self.x[: nx - 1], 0.0, t_new)
        u[ny - 1, : nx - 1] = exact(self.x[: nx - 1], 1.0, t_new)
        u[:, 0] = exact(0.0, self.y, t_new)
        u[:, nx - 1] = temperature
        b = u[1:-1, 1:-1] / dt + source()
        b[:, 0] += cx * u[1:-1, 0]
        b[:, -1] += cx * u[1:-1, nx - 1]
        b[0, :] += cy * u[0, 1:-1]
        b[-1, :] += cy * u[ny - 1, 1:-1]
        u[1:-1, 1:-1] = (self._inverse @ b.reshape(-1)).reshape(ny - 2, nx - 2)
        return self.flux()

    def flux(self) -> numpy.ndarray:
        """∂u/∂x on the interface, (3 u_N − 4 u_{N−1} + u_{N−2}) / (2 h): exact for quadratics in x."""
        u = self.values
        return (3.0 * u[:, -1] - 4.0 * u[:, -2] + u[:, -3]) / (2.0 * self.hx)

    def relative_error(self, t: float) -> float:
        """‖u_h − u‖₂ / ‖u‖₂ over all nodes at time t."""
        reference = exact(self.X, self.Y, t)
        return float(numpy.linalg.norm(self.values - reference) / numpy.linalg.norm(reference))
