#!/usr/bin/env python3
"""pyFAI reference for `fxs-bench remap`: integrate2d of uint16 frames of a single flat panel with the same
pixel count, onto the same 300 x 256 (q, chi) grid with the same corrections; tries pyFAI's CPU methods and
prints one JSON line with the fastest: {"frames_per_s", "cpu_s_per_frame", "method", "all": {...}}.
Usage: remap_pyfai.py nSlow nFast pixel_m dist_m wavelength_A q_min q_max seconds"""
import json
import sys
import time

import numpy
import pyFAI
from pyFAI.azimuthalIntegrator import AzimuthalIntegrator

n_slow, n_fast = int(sys.argv[1]), int(sys.argv[2])
pixel, dist, wl_a = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
q_min, q_max, seconds = float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
ai = AzimuthalIntegrator(dist=dist, poni1=n_slow / 2 * pixel, poni2=n_fast / 2 * pixel,
                         pixel1=pixel, pixel2=pixel, wavelength=wl_a * 1e-10)
rng = numpy.random.default_rng(1)
frames = [rng.integers(0, 1000, size=(n_slow, n_fast), dtype=numpy.uint16) for _ in range(4)]
common = dict(unit="q_A^-1", radial_range=(q_min, q_max), correctSolidAngle=True, polarization_factor=1.0)


def rate(fn):
    """(frames per second of wall time, process CPU seconds per frame)"""
    fn(frames[0])  # builds and caches the sparse matrix
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds or n < 3:
        fn(frames[n % len(frames)])
        n += 1
    return n / (time.perf_counter() - t0), (time.process_time() - c0) / n


candidates = {}
legacy = getattr(ai, "integrate2d_legacy", None)
for method in ("lut", "csr"):
    if legacy is not None:
        candidates["integrate2d_legacy/" + method] = lambda img, m=method: legacy(img, 300, 256, method=m, **common)
ng = getattr(ai, "integrate2d_ng", None)
if ng is not None:
    candidates["integrate2d_ng/csr"] = lambda img: ng(img, 300, 256, method=("bbox", "csr", "cython"), **common)
results = {}
for name, fn in candidates.items():
    try:
        results[name] = rate(fn)
    except Exception as exc:  # a method missing in this pyFAI version
        print(f"{name}: {exc}", file=sys.stderr)
best = max(results, key=lambda k: results[k][0])
print(json.dumps({"frames_per_s": results[best][0], "cpu_s_per_frame": results[best][1], "method": best,
                  "version": pyFAI.version, "all": {k: v[0] for k, v in results.items()}}))
