"""fxs.C2Accumulator, fxs.Snapshot and fxs.Sums against the direct φ-sum in numpy (oracles.py)."""
import numpy as np
import pytest

import fxs
from oracles import brute_c2, fourier, normalised, pearson, random_frames

N_Q, N_PHI, SHOTS = 6, 16, 12


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(7)
    return random_frames(rng, SHOTS, N_Q, N_PHI)


def oracle(intensity, weight, shots, subtract_mean=True):
    (n0, d0), (n1, d1) = brute_c2(intensity, weight, shots, subtract_mean)
    return n0, d0, n1, d1


def valid(snap):
    return np.asarray(snap.flags) == 0


@pytest.mark.parametrize("precision,tol", [("double", 1e-10), ("single", 2e-4)])
def test_c2_matches_direct_phi_sum(frames, precision, tol):
    intensity, weight = frames
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision=precision, threads=2)
    acc.add(intensity[:5], weight[:5])  # a stack, shots 0 … 4
    for i in range(5, SHOTS):  # then one at a time, continuing the shot count
        acc.add(intensity[i], weight[i])
    assert acc.shots == SHOTS
    snap = acc.snapshot()
    n0, d0, n1, d1 = oracle(intensity, weight, np.arange(SHOTS))
    c2 = normalised(n0 + n1, d0 + d1, snap.mask_threshold)
    ok = valid(snap)
    assert ok.sum() > 0.9 * ok.size - N_Q  # random masks leave almost every element valid
    scale = np.abs(c2[ok]).max()
    np.testing.assert_allclose(snap.c2[ok], c2[ok], rtol=0, atol=tol * scale)
    np.testing.assert_allclose(snap.mask_c2, d0 + d1, rtol=tol, atol=tol * (d0 + d1).max())
    assert snap.shots == SHOTS and snap.shots_half == (6, 6)
    assert snap.c2.shape == (N_Q, N_Q, N_PHI) and not snap.c2.flags.writeable


def test_fourier_inter_shot_and_split_half(frames):
    intensity, weight = frames
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision="double", threads=1)
    acc.add(intensity, weight)
    snap = acc.snapshot()
    n0, d0, n1, d1 = oracle(intensity, weight, np.arange(SHOTS))
    c2 = np.where(valid(snap) | (np.asarray(snap.flags) == 2), normalised(n0 + n1, d0 + d1, snap.mask_threshold), 0)
    np.testing.assert_allclose(snap.fourier, fourier(c2, N_PHI // 2), atol=1e-10 * np.abs(c2).max())
    # Inter-shot term: the (ring-mean-subtracted) weighted mean image correlated with itself.
    w = weight.astype(np.float64)
    mean = np.where(w.sum(0) > 0, np.nansum(np.where(w > 0, w * intensity, 0), 0) / np.maximum(w.sum(0), 1e-300), 0)
    np.testing.assert_allclose(snap.mean_image, mean, rtol=1e-6)
    v = (w.sum(0) > 0).astype(float)
    mu = v * (mean - (mean * v).sum(1, keepdims=True) / v.sum(1, keepdims=True))
    num = np.stack([mu @ np.roll(mu, -k, 1).T for k in range(N_PHI)], -1)
    den = np.stack([v @ np.roll(v, -k, 1).T for k in range(N_PHI)], -1)
    inter = np.where(den > 0.5, num / np.maximum(den, 1), 0)
    ok = valid(snap)
    np.testing.assert_allclose(snap.inter_c2[ok], inter[ok], atol=1e-10)
    np.testing.assert_allclose(snap.difference_c2[ok], (c2 - inter)[ok], atol=1e-10)
    # Split-half: Pearson of the halves' C2 over the valid elements (self terms left out), overall and per q.
    even, odd = normalised(n0, d0, 0), normalised(n1, d1, 0)
    both = ok & (d0 > 0) & (d1 > 0)
    assert snap.split_half_cc == pytest.approx(pearson(even[both], odd[both]), abs=1e-9)
    per_q = [pearson(even[q][both[q]], odd[q][both[q]]) for q in range(N_Q)]
    np.testing.assert_allclose(snap.split_half_cc_per_q, per_q, atol=1e-9)


def test_without_ring_mean_and_explicit_shot_indices(frames):
    intensity, weight = frames
    shots = np.array([3, 8, 10, 11, 20, 1, 2, 5, 7, 9, 100, 101])
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision="double", subtract_ring_mean=False)
    acc.add(intensity, weight, shot_index=shots)
    snap = acc.snapshot()
    n0, d0, n1, d1 = oracle(intensity, weight, shots, subtract_mean=False)
    ok = valid(snap)
    np.testing.assert_allclose(snap.c2[ok], normalised(n0 + n1, d0 + d1, 0)[ok], rtol=1e-10)
    assert snap.shots_half == (int(np.sum(shots % 2 == 0)), int(np.sum(shots % 2 == 1)))


def test_merge_of_disjoint_halves_equals_one_run(frames):
    intensity, weight = frames
    a = fxs.C2Accumulator(N_Q, N_PHI, precision="double", threads=1)
    b = fxs.C2Accumulator(N_Q, N_PHI, precision="double", threads=1)
    a.add(intensity[:7], weight[:7])
    b.add(intensity[7:], weight[7:], shot_index=7)
    a.merge(b)
    assert a.shots == SHOTS
    n0, d0, n1, d1 = oracle(intensity, weight, np.arange(SHOTS))
    snap = a.snapshot()
    ok = valid(snap)
    np.testing.assert_allclose(snap.c2[ok], normalised(n0 + n1, d0 + d1, 0)[ok], rtol=1e-9)
    sums = b.sums()
    assert sums.shots == SHOTS - 7 and sums.signal[0].shape == (N_PHI // 2 + 1, N_Q, N_Q)
    with pytest.raises(fxs.FxsError):
        a.merge(fxs.C2Accumulator(N_Q + 1, N_PHI))


def test_bad_frames_are_refused_and_nothing_is_added(frames):
    intensity, weight = frames
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision="double")
    bad = weight[:3].copy()
    bad[2, 0, 0] = 1.5
    with pytest.raises(fxs.FxsError, match="frame 2"):
        acc.add(intensity[:3], bad)
    nan = intensity[:1].copy()
    nan[0, 1, 1] = np.nan
    w = np.ones_like(nan)
    with pytest.raises(fxs.FxsError):
        acc.add(nan, w)
    with pytest.raises(ValueError, match=r"expected shape \(6, 16\)"):
        acc.add(np.zeros((N_Q, N_PHI + 1), np.float32))
    with pytest.raises(ValueError, match="weights"):
        acc.add(intensity[:2], weight[:1])
    assert acc.shots == 0 and acc.snapshot().shots == 0
    acc.add(intensity[:2], weight[:2])  # NaN under weight 0 is fine
    assert acc.snapshot().shots == 2


def test_sums_snapshot_and_views_outlive_the_accumulator(frames):
    intensity, weight = frames
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision="double")
    acc.add(intensity, weight)
    sums = acc.sums()
    c2 = acc.snapshot().c2  # the snapshot object itself is gone; its array keeps it alive
    del acc
    np.testing.assert_allclose(sums.snapshot().c2, c2, rtol=1e-12)
    np.testing.assert_allclose(sums.weight_sum, weight.sum(0), rtol=1e-6)
