#!/usr/bin/python3
"""fxs.C2Accumulator against the seed paper's numpy kernel (per-frequency np.dot, C and F order, complex128,
tests/bench/seed_numpy.py), in the same process, on the same frames: the seed's shape 300 × 256, 2,000 shots.

Prints one JSON object. The numpy kernel runs batch by batch (the paper's 100 images per batch) summing into one
C2; the engine takes the whole stack in one add() and is timed until flush() returns (every shot in its double
totals); building the accumulator (allocating its sums) and the snapshot are timed apart. The engine runs before
and after the numpy kernels (its best run counts), so that a load that changes during the run favours neither. Both correlate I
without ring-mean subtraction and unmasked, so the engine's sums are checked against numpy's C2 (check_rel_err).

    PYTHONPATH=build/release/python python3 python/bench/bench_seed.py [--shots 2000] [--threads 0]
"""
import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "bench"))
import seed_numpy  # noqa: E402  (the seed's kernels, as the C++ benchmark uses them)

import fxs  # noqa: E402


def numpy_run(kernel, images, batch, fortran):
    """The seed kernel over every batch, summed; returns (seconds, C2). Conversions are outside the timing."""
    total, c2 = 0.0, None
    for start in range(0, images.shape[0], batch):
        x = images[start:start + batch].astype(np.float64)
        if fortran:
            x = np.asfortranarray(x)
        t0 = time.perf_counter()
        part = kernel(x)
        c2 = part if c2 is None else c2 + part
        total += time.perf_counter() - t0
    return total, c2


def engine_run(images, threads, precision):
    n, n_q, n_phi = images.shape
    t0 = time.perf_counter()
    acc = fxs.C2Accumulator(n_q, n_phi, threads=threads, precision=precision, subtract_ring_mean=False)
    t1 = time.perf_counter()
    acc.add(images)
    acc.flush()
    t2 = time.perf_counter()
    snap = acc.snapshot(split_half=False, fourier=False)
    t3 = time.perf_counter()
    assert snap.shots == n
    return acc, {"setup_s": t1 - t0, "seconds": t2 - t1, "snapshot_s": t3 - t2, "threads": acc.threads}


def check(acc, c2_numpy):
    """numpy's C2[q, q', n] = Σ A(q, n) conj A(q', n) is the engine's S_n(q', q): compare on its stored triangle."""
    sums = acc.sums()
    s = sums.signal[0] + sums.signal[1]  # (n_max + 1, n_q, n_q), lower triangle q ≥ q'
    ref = np.transpose(c2_numpy[:, :, : s.shape[0]], (2, 1, 0))
    tri = np.tril(np.ones(s.shape[1:], bool))
    return float(np.abs(s[:, tri] - ref[:, tri]).max() / np.abs(ref[:, tri]).max())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shots", type=int, default=2000)
    p.add_argument("--nq", type=int, default=300)
    p.add_argument("--nphi", type=int, default=256)
    p.add_argument("--batch", type=int, default=100, help="numpy kernel: images per batch (the paper's 100)")
    p.add_argument("--threads", type=int, default=0, help="engine worker threads (0: all cores)")
    p.add_argument("--precision", default="single", choices=["single", "double"])
    a = p.parse_args()
    rng = np.random.default_rng(1)
    images = rng.random((a.shots, a.nq, a.nphi), dtype=np.float32)
    acc, eng = engine_run(images, a.threads, a.precision)
    t_c, c2 = numpy_run(seed_numpy.c_order, images, a.batch, False)
    rel = check(acc, c2)
    del c2, acc
    t_f, _ = numpy_run(seed_numpy.f_order, images, a.batch, True)
    _, again = engine_run(images, a.threads, a.precision)
    engine_runs = [eng["seconds"], again["seconds"]]
    eng = min(eng, again, key=lambda e: e["seconds"])
    best = min(t_c, t_f)
    print(json.dumps({
        "benchmark": "python_seed",
        "shots": a.shots, "n_q": a.nq, "n_phi": a.nphi, "numpy_batch": a.batch,
        "engine_threads": eng["threads"], "engine_precision": a.precision,
        "engine_shots_per_s": a.shots / eng["seconds"],
        "engine_runs_shots_per_s": [a.shots / t for t in engine_runs],
        "engine_setup_s": eng["setup_s"], "engine_snapshot_s": eng["snapshot_s"],
        "numpy_c_order_shots_per_s": a.shots / t_c, "numpy_f_order_shots_per_s": a.shots / t_f,
        "ratio_vs_seed": best / eng["seconds"],
        "check_rel_err": rel,
        "cpus": os.cpu_count(), "load_average": os.getloadavg()[0], "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
