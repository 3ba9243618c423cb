"""Great-circle distance by the haversine formula, one pair at a time or one point against many.

The vectorised form works on unit vectors: for two points on the unit sphere
``hav(θ) = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2) = |u₁ − u₂|² / 4``, so with
each partner location's unit vector computed once, a distance needs no sine
per location, only a square root and an arcsine. Both forms agree to well
under a millimetre.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

#: Mean Earth radius (IUGG), the usual choice for haversine distances.
EARTH_RADIUS_KM = 6371.0088

Floats = NDArray[np.float64]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    half_dlat = math.sin((p2 - p1) / 2)
    half_dlon = math.sin((math.radians(lon2) - math.radians(lon1)) / 2)
    a = half_dlat * half_dlat + math.cos(p1) * math.cos(p2) * (half_dlon * half_dlon)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def unit_vectors(lats: Floats, lons: Floats) -> tuple[Floats, Floats, Floats]:
    """``(x, y, z)`` of points given in degrees, on the unit sphere (NaN stays NaN)."""
    phi, lam = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)
    return cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)


def haversine_km_many(lat: float, lon: float, x: Floats, y: Floats, z: Floats) -> Floats:
    """Distance in km from one point (degrees) to many points given as unit vectors (see :func:`unit_vectors`)."""
    phi, lam = math.radians(lat), math.radians(lon)
    dx = x - math.cos(phi) * math.cos(lam)
    dy = y - math.cos(phi) * math.sin(lam)
    dz = z - math.sin(phi)
    dx *= dx
    dy *= dy
    dz *= dz
    dx += dy
    dx += dz
    # hav = |Δu|² / 4, d = 2R·asin(√hav) = 2R·asin(|Δu| / 2)
    np.sqrt(dx, out=dx)
    dx *= 0.5
    np.minimum(dx, 1.0, out=dx)
    np.arcsin(dx, out=dx)
    dx *= 2 * EARTH_RADIUS_KM
    return dx
