"""The wall of the 1-D elastic tube, in numpy, apart from any coupling library:
the tube law of tube.c (see tube.h), A(p) = A0 (2c² − p0)² / (2c² − p)², with
c² = E / (2 r0), r0 = 1/√π (A0 = 1), E = 10,000, p0 = 0. The wall has no state:
its area follows the pressure at the same time."""

import math

import numpy

YOUNG_MODULUS = 10000.0
OUTLET_PRESSURE = 0.0
LENGTH = 10.0
REFERENCE_RADIUS = 1.0 / math.sqrt(math.pi)
REFERENCE_AREA = math.pi * REFERENCE_RADIUS**2
WAVE_SPEED_SQUARED = YOUNG_MODULUS / (2.0 * REFERENCE_RADIUS)


def area(pressure) -> numpy.ndarray:
    """The cross-sectional area of every node from its pressure."""
    stiffness = 2.0 * WAVE_SPEED_SQUARED
    reference = (OUTLET_PRESSURE - stiffness) ** 2
    return REFERENCE_AREA * reference / (numpy.asarray(pressure, dtype=float) - stiffness) ** 2
