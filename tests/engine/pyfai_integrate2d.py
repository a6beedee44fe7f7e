#!/usr/bin/env python3
"""pyFAI reference for tst_PolarRemapper: integrate2d of a float32 image of one flat panel normal to the beam
onto an (nq x nphi) grid in q (1/A) and chi in [0, 360) degrees, with full pixel splitting.
Usage: pyfai_integrate2d.py image.f32 n_slow n_fast pixel_m dist_m poni1_m poni2_m wavelength_A
                            n_q n_phi q_min q_max corrections(0|1) out.f64
Writes the intensities as float64, row-major (q, phi), and the bin counts after them."""
import sys

import numpy
from pyFAI.azimuthalIntegrator import AzimuthalIntegrator

a = sys.argv[1:]
n_slow, n_fast = int(a[1]), int(a[2])
pixel, dist, poni1, poni2, wl = (float(v) for v in a[3:8])
n_q, n_phi, q_min, q_max, corr = int(a[8]), int(a[9]), float(a[10]), float(a[11]), a[12] == "1"
img = numpy.fromfile(a[0], dtype=numpy.float32).reshape(n_slow, n_fast)
ai = AzimuthalIntegrator(dist=dist, poni1=poni1, poni2=poni2, pixel1=pixel, pixel2=pixel, wavelength=wl * 1e-10)
ai.setChiDiscAtZero()
res = ai.integrate2d(img, n_q, n_phi, unit="q_A^-1", radial_range=(q_min, q_max), azimuth_range=(0, 360),
                     method="splitpixel", correctSolidAngle=corr, polarization_factor=1.0 if corr else None,
                     dummy=-1.0)
# pyFAI returns (n_phi, n_q); the engine's PolarFrame is (n_q, n_phi)
numpy.ascontiguousarray(res.intensity.T, dtype=numpy.float64).tofile(a[13])
