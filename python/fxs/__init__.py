"""FXS Monitor's engine from Python: geometry, polar remap, C2, results files, invariants, M-TIP, simulator.

Numpy arrays go in and come out; arrays the engine already holds (snapshots, sums, results) are read-only views
without copies; long work runs with the GIL released; engine errors raise :class:`FxsError` with the engine's
message. The fxs-server client is :mod:`fxs.remote`. docs/PYTHON.md walks through a session.
"""
from ._fxs import (
    C2Accumulator,
    FxsError,
    Geometry,
    Invariants,
    ParticleModel,
    PolarGrid,
    PolarRemapper,
    Reconstruction,
    Results,
    Simulator,
    Snapshot,
    Sums,
    __version__,
    kam_invariants,
    open_results,
    reconstruct,
    write_results,
)
from . import remote

__all__ = [
    "C2Accumulator",
    "FxsError",
    "Geometry",
    "Invariants",
    "ParticleModel",
    "PolarGrid",
    "PolarRemapper",
    "Reconstruction",
    "Results",
    "Simulator",
    "Snapshot",
    "Sums",
    "__version__",
    "kam_invariants",
    "open_results",
    "reconstruct",
    "remote",
    "write_results",
]
