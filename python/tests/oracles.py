"""Independent oracles in numpy: the direct φ-sum of C2 (seed eq. 1 with FXS_SPEC §2's masks and ring means),
its Fourier coefficients, and the split-half correlation. No FFT, no BLAS rank-k updates."""
import numpy as np


def random_frames(rng, shots, n_q, n_phi, masked=0.2, fractional=0.1):
    """Intensities in [0, 10), weights 1 except masked bins (0, intensity NaN) and fractional (0, 1) ones."""
    intensity = rng.uniform(0.0, 10.0, (shots, n_q, n_phi))
    weight = np.ones_like(intensity)
    u = rng.uniform(size=intensity.shape)
    weight[u < masked] = 0.0
    part = (u >= masked) & (u < masked + fractional)
    weight[part] = rng.uniform(0.05, 0.95, np.count_nonzero(part))
    intensity[weight == 0] = np.nan
    return intensity.astype(np.float32), weight.astype(np.float32)


def delta_i(intensity, weight, subtract_mean=True):
    """δI = w (I − weighted ring mean), in float64; 0 where w = 0."""
    i = np.where(weight > 0, intensity.astype(np.float64), 0.0)
    w = weight.astype(np.float64)
    sw = w.sum(axis=-1, keepdims=True)
    mean = np.where(sw > 0, (w * i).sum(axis=-1, keepdims=True) / np.where(sw > 0, sw, 1), 0.0)
    if not subtract_mean:
        mean = 0.0
    return np.where(w > 0, w * (i - mean), 0.0)


def phi_sums(a, b):
    """Σ_φ a(q, φ) b(q', φ + Δ) for every (q, q', Δ), summed over shots: the direct loop over Δ."""
    n_phi = a.shape[-1]
    out = np.zeros((a.shape[-2], a.shape[-2], n_phi))
    for k in range(n_phi):
        out[:, :, k] = np.einsum("sqp,srp->qr", a, np.roll(b, -k, axis=-1))
    return out


def brute_c2(intensity, weight, shot_index, subtract_mean=True):
    """Per half (even, odd shot index): numerator Σ δI δI' and denominator Σ w w'."""
    d = delta_i(intensity, weight, subtract_mean)
    w = weight.astype(np.float64)
    halves = []
    for h in (0, 1):
        sel = (np.asarray(shot_index) % 2) == h
        halves.append((phi_sums(d[sel], d[sel]), phi_sums(w[sel], w[sel])))
    return halves


def normalised(num, den, threshold):
    return np.where(den > threshold, num / np.where(den > threshold, den, 1.0), 0.0)


def fourier(c2, n_max):
    """C_n with c2(Δ) = Σ_n C_n e^{i n Δ}: the mean over Δ of c2 e^{−i n Δ}."""
    n_phi = c2.shape[-1]
    k = np.arange(n_phi)
    return np.stack([(c2 * np.exp(-2j * np.pi * n * k / n_phi)).mean(axis=-1) for n in range(n_max + 1)])


def pearson(a, b):
    a = a - a.mean()
    b = b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))
