#!/usr/bin/env python3
"""The seed paper's best numpy C2 kernels (per-frequency np.dot, C and F order), as written there.

Prints one JSON object: shots per second of each kernel and the best of them.
"""
import argparse
import json
import time

import numpy as np


def c_order(images):
    n_imgs, n_rad, n_phi = images.shape
    As = np.fft.fft(images, axis=-1)
    C2 = np.zeros((n_rad, n_rad, n_phi), np.complex128)
    for k in range(n_phi):
        C2[..., k] += np.dot(As[..., k].T, As[..., k].conj())
    return C2


def f_order(images_F):
    n_imgs, n_rad, n_phi = images_F.shape
    As = np.fft.fft(images_F, axis=-1)
    C2 = np.zeros((n_rad, n_rad, n_phi), np.complex128, order='F')
    for k in range(n_phi):
        C2[..., k] += np.dot(As[..., k].T, As[..., k].conj())
    return C2


def timed(fn, data, repeats):
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(data)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--shots', type=int, default=100)
    p.add_argument('--nq', type=int, default=300)
    p.add_argument('--nphi', type=int, default=256)
    p.add_argument('--repeats', type=int, default=2)
    a = p.parse_args()
    images = np.random.random((a.shots, a.nq, a.nphi))
    t_c = timed(c_order, images, a.repeats)
    t_f = timed(f_order, np.asfortranarray(images), a.repeats)
    print(json.dumps({
        'shots': a.shots,
        'c_order_shots_per_s': a.shots / t_c,
        'f_order_shots_per_s': a.shots / t_f,
        'best_shots_per_s': a.shots / min(t_c, t_f),
    }))


if __name__ == '__main__':
    main()
