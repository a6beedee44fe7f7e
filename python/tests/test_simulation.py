"""fxs.Simulator and fxs.ParticleModel against closed forms (a uniform sphere's form factor)."""
import numpy as np
import pytest

import fxs


def sphere_form_factor(x):
    return 3 * (np.sin(x) - x * np.cos(x)) / x ** 3


def test_noise_free_sphere_follows_its_form_factor():
    radius, peak = 20.0, 500.0
    model = fxs.ParticleModel.sphere(radius)
    sim = fxs.Simulator(model, poisson_noise=False, peak_photons=peak, sampling="direct")
    grid = fxs.PolarGrid(10, 16, 0.02, 0.3)
    frames = sim.polar_frames(grid, 1.2, [0, 5])
    assert frames.shape == (2, 10, 16) and frames.dtype == np.float32
    expected = peak * sphere_form_factor(grid.q_centres * radius) ** 2
    np.testing.assert_allclose(frames, np.broadcast_to(expected[None, :, None], frames.shape), rtol=1e-5)
    q = np.array([[0.0, 0.0, 0.1], [0.05, 0.0, 0.0]])
    np.testing.assert_allclose(model.intensity(q), sphere_form_factor(np.array([0.1, 0.05]) * radius) ** 2,
                               rtol=1e-9)


def test_shots_depend_only_on_seed_and_index():
    sim = fxs.Simulator(fxs.ParticleModel.builtin("tetramer4"), seed=9, peak_photons=50.0)
    grid = fxs.PolarGrid(8, 16, 0.05, 0.5)
    all4 = sim.polar_frames(grid, 1.0, 4)
    np.testing.assert_array_equal(sim.polar_frames(grid, 1.0, [3, 1]), all4[[3, 1]])
    assert np.all(all4 == np.round(all4))  # Poisson counts


def test_detector_frames_are_zero_where_masked():
    g = fxs.Geometry.single_panel(40, 50, pixel_size=300e-6, distance=0.1, photon_energy=9000.0)
    sim = fxs.Simulator(fxs.ParticleModel.builtin("dumbbell"), poisson_noise=False)
    frames = sim.detector_frames(g, 2)
    assert frames.shape == (2, 40, 50) and np.all(frames > 0)
    assert "sphere" in fxs.ParticleModel.names()
    with pytest.raises(fxs.FxsError, match="no-such-model"):
        fxs.ParticleModel.load("no-such-model")
