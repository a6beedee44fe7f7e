"""fxs.kam_invariants against a numpy least-squares fit of Legendre series, and fxs.reconstruct's callback."""
import numpy as np
import pytest
from numpy.polynomial import legendre

import fxs
from oracles import random_frames

N_Q, N_PHI, WAVELENGTH = 5, 24, 1.5


@pytest.fixture(scope="module")
def snapshot():
    intensity, weight = random_frames(np.random.default_rng(5), 8, N_Q, N_PHI, masked=0.1)
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision="double", subtract_ring_mean=False)
    acc.add(intensity, weight)
    return acc.snapshot()


def test_least_squares_invariants_match_numpy(snapshot):
    grid = fxs.PolarGrid(N_Q, N_PHI, 0.1, 1.0)
    l_max = 6
    inv = fxs.kam_invariants(snapshot, grid, WAVELENGTH, l_max=l_max, b0="correlation", symmetrise=False,
                             clip_negative=False)
    assert inv.b.shape == (l_max // 2 + 1, N_Q, N_Q)
    cos_t = -grid.q_centres * WAVELENGTH / (4 * np.pi)  # colatitude on the Ewald sphere
    sin_t = np.sqrt(1 - cos_t ** 2)
    delta = 2 * np.pi * np.arange(N_PHI) / N_PHI
    for q in range(N_Q):
        for qp in range(q, N_Q):
            ok = snapshot.flags[q, qp] == 0
            cos_psi = cos_t[q] * cos_t[qp] + sin_t[q] * sin_t[qp] * np.cos(delta[ok])
            a = np.stack([legendre.legval(cos_psi, np.eye(l_max + 1)[l]) / (4 * np.pi)
                          for l in range(0, l_max + 1, 2)], axis=1)
            b, *_ = np.linalg.lstsq(a, snapshot.c2[q, qp][ok], rcond=None)
            np.testing.assert_allclose(inv.b[:, q, qp], b, rtol=1e-7, atol=1e-9 * np.abs(b).max())
            np.testing.assert_allclose(inv.B(2)[qp, q], b[1], rtol=1e-7, atol=1e-9 * np.abs(b).max())


def test_invariants_errors(snapshot):
    grid = fxs.PolarGrid(N_Q, N_PHI, 0.1, 1.0)
    with pytest.raises(fxs.FxsError, match="wavelength"):
        fxs.kam_invariants(snapshot, grid, 20.0, l_max=4)
    with pytest.raises(fxs.FxsError, match="particle diameter"):
        fxs.kam_invariants(snapshot, grid, WAVELENGTH)
    with pytest.raises(fxs.FxsError, match="polar grid"):
        fxs.kam_invariants(snapshot, fxs.PolarGrid(N_Q + 1, N_PHI, 0.1, 1.0), WAVELENGTH, l_max=4)


@pytest.fixture(scope="module")
def model_invariants():
    """Invariants of a simulated dumbbell (noise-free polar shots): input for the reconstruction tests."""
    grid = fxs.PolarGrid(12, 32, 0.05, 0.6)
    sim = fxs.Simulator(fxs.ParticleModel.builtin("dumbbell"), poisson_noise=False, peak_photons=100.0)
    acc = fxs.C2Accumulator(grid.n_q, grid.n_phi, precision="double")
    acc.add(sim.polar_frames(grid, 1.0, 64))
    return fxs.kam_invariants(acc.snapshot(), grid, 1.0, l_max=8)


def test_reconstruction_reports_every_iteration_and_projects_on_its_support(model_invariants):
    seen = []
    r = fxs.reconstruct(model_invariants, progress=seen.append, grid_size=16, starts=2, cycles=(1, 6, 4, 4),
                        threads=1, density_every=7)
    per_start = 6 + 4 + 4
    assert [(p["start"], p["iteration"]) for p in seen] == [(s, i) for s in range(2) for i in range(1, per_start + 1)]
    assert all(p["iterations"] == per_start and p["starts"] == 2 for p in seen)
    assert [p["density"] is not None for p in seen].count(True) == 2 * (per_start // 7)
    assert seen[-1]["kind"] == "ER" and seen[0]["kind"] == "HIO"
    assert r.iterations_run == 2 * per_start and not r.cancelled
    assert len(r.real_space_error_history) == per_start
    assert r.density.shape == (16, 16, 16) and r.support.dtype == bool
    # The last step is error reduction: the density is 0 outside the support.
    assert np.all(r.density[~r.support] == 0) and np.abs(r.density[r.support]).sum() > 0


def test_reconstruction_cancel_and_callback_errors(model_invariants):
    calls = []

    def stop_after_three(p):
        calls.append(p["iteration"])
        return len(calls) < 3

    r = fxs.reconstruct(model_invariants, progress=stop_after_three, grid_size=16, starts=1, cycles=(1, 20, 10, 10))
    assert r.cancelled and r.iterations_run == 3 and calls == [1, 2, 3]

    def boom(p):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        fxs.reconstruct(model_invariants, progress=boom, grid_size=16, starts=1, cycles=(1, 20, 10, 10))
    with pytest.raises(TypeError, match="grid_sise"):
        fxs.reconstruct(model_invariants, grid_sise=16)
    with pytest.raises(fxs.FxsError):
        fxs.reconstruct(model_invariants, grid_size=15)
