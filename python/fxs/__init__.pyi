"""Type stubs of the fxs package (the compiled _fxs and its pure-Python part)."""
from typing import Callable, Iterable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import remote as remote

__version__: str

class FxsError(RuntimeError):
    """An error reported by the engine; the message names the file, option or value at fault."""

class PolarGrid:
    """n_q radial bins between q_min and q_max (Å⁻¹), n_phi azimuthal bins over 2π."""
    n_q: int
    n_phi: int
    q_min: float
    q_max: float
    def __init__(self, n_q: int = 300, n_phi: int = 256, q_min: float = 0.05, q_max: float = 1.0) -> None: ...
    @property
    def q_centres(self) -> npt.NDArray[np.float64]: ...
    @property
    def phi_centres(self) -> npt.NDArray[np.float64]: ...

class Geometry:
    """A detector geometry (CrystFEL .geom semantics); per-pixel arrays have shape (n_slow, n_fast)."""
    @staticmethod
    def from_geom(path: str, clen: Optional[float] = None, photon_energy: Optional[float] = None,
                  beam_shift: Tuple[float, float] = (0.0, 0.0)) -> Geometry: ...
    @staticmethod
    def from_text(text: str, clen: Optional[float] = None, photon_energy: Optional[float] = None,
                  beam_shift: Tuple[float, float] = (0.0, 0.0)) -> Geometry: ...
    @staticmethod
    def single_panel(n_slow: int, n_fast: int, pixel_size: float = 100e-6, distance: float = 0.1,
                     photon_energy: float = 9000.0,
                     beam_centre: Optional[Tuple[float, float]] = None) -> Geometry: ...
    n_slow: int
    n_fast: int
    shape: Tuple[int, int]
    photon_energy: float
    wavelength: float
    clen: float
    clen_source: str
    photon_energy_source: str
    warnings: list[str]
    panels: list[str]
    q: npt.NDArray[np.float32]
    phi: npt.NDArray[np.float32]
    two_theta: npt.NDArray[np.float32]
    solid_angle: npt.NDArray[np.float32]
    mask: npt.NDArray[np.bool_]
    positions: npt.NDArray[np.float64]
    def polarisation(self, fraction: float = 1.0, plane_angle: float = 0.0) -> npt.NDArray[np.float32]: ...
    def to_geom(self) -> str: ...

class PolarRemapper:
    """Maps detector frames onto a PolarGrid (pixel splitting, solid angle and polarisation corrections)."""
    def __init__(self, geometry: Geometry, grid: PolarGrid, mode: str = "split", solid_angle: bool = True,
                 polarisation: bool = True, polarisation_fraction: float = 1.0, polarisation_angle: float = 0.0,
                 mask: Optional[npt.ArrayLike] = None, threads: int = 0) -> None: ...
    def __call__(self, frame: npt.ArrayLike) -> npt.NDArray[np.float32]: ...
    def remap(self, frame: npt.ArrayLike) -> Tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]: ...
    grid: PolarGrid
    bin_weight: npt.NDArray[np.float32]
    bin_pixel_count: npt.NDArray[np.float32]
    build_seconds: float

class Snapshot:
    """A normalised C2 at one moment; arrays are read-only views over (q, q', Δ)."""
    n_q: int
    n_phi: int
    n_max: int
    shots: int
    shots_half: Tuple[int, int]
    ring_mean_subtracted: bool
    mask_threshold: float
    split_half_cc: float
    c2: npt.NDArray[np.float64]
    mask_c2: npt.NDArray[np.float64]
    flags: npt.NDArray[np.uint8]
    mean_image: npt.NDArray[np.float64]
    inter_c2: npt.NDArray[np.float64]
    difference_c2: npt.NDArray[np.float64]
    split_half_cc_per_q: npt.NDArray[np.float64]
    fourier: npt.NDArray[np.complex128]
    c2_std_error: npt.NDArray[np.float64]
    fourier_std_error: npt.NDArray[np.float64]

class Sums:
    """The additive state of a C2 run (double precision), mergeable by addition."""
    n_q: int
    n_phi: int
    n_max: int
    ring_mean_subtracted: bool
    shots: int
    shots_half: Tuple[int, int]
    signal: Tuple[npt.NDArray[np.complex128], npt.NDArray[np.complex128]]
    mask: Tuple[npt.NDArray[np.complex128], npt.NDArray[np.complex128]]
    weighted_intensity: npt.NDArray[np.float64]
    weight_sum: npt.NDArray[np.float64]
    squares: npt.NDArray[np.float64]
    def snapshot(self, split_half: bool = True, inter_shot: bool = True, fourier: bool = True, threads: int = 0,
                 mask_relative_threshold: float = 1e-4) -> Snapshot: ...
    def merge(self, other: Sums) -> None: ...
    def copy(self) -> Sums: ...
    def save(self, path: str) -> None: ...

class C2Accumulator:
    """Streams polar frames into C2 on worker threads; snapshots at any time."""
    def __init__(self, n_q: int, n_phi: int, n_max: int = -1, precision: str = "single",
                 subtract_ring_mean: bool = True, threads: int = 0, batch_shots: int = 256,
                 variance: bool = True) -> None: ...
    def add(self, polar: npt.ArrayLike, weights: Optional[npt.ArrayLike] = None,
            shot_index: Union[None, int, Sequence[int], npt.NDArray[np.int64]] = None) -> None: ...
    def flush(self) -> None: ...
    def snapshot(self, split_half: bool = True, inter_shot: bool = True, fourier: bool = True, threads: int = 0,
                 mask_relative_threshold: float = 1e-4) -> Snapshot: ...
    def sums(self) -> Sums: ...
    def merge(self, other: Union[C2Accumulator, Sums]) -> None: ...
    def reset(self) -> None: ...
    shots: int
    n_q: int
    n_phi: int
    n_max: int
    threads: int

class Invariants:
    """Kam invariants B_l(q, q') for even l ≤ l_max."""
    def __init__(self, q: npt.ArrayLike, b: npt.ArrayLike, wavelength: float = 0.0) -> None: ...
    n_q: int
    l_max: int
    wavelength: float
    q: npt.NDArray[np.float64]
    b: npt.NDArray[np.float64]
    def B(self, l: int) -> npt.NDArray[np.float64]: ...

class Results:
    """A results file (HDF5) or a sums file read back."""
    path: str
    format: str
    sums: Sums
    grid: Optional[PolarGrid]
    wavelength: float
    configuration: str
    geometry: str
    invariants: Optional[Invariants]
    convergence: Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
    density: Optional[npt.NDArray[np.float32]]
    density_voxel: float
    shots_done: npt.NDArray[np.int64]
    def snapshot(self, split_half: bool = True, inter_shot: bool = True, fourier: bool = True, threads: int = 0,
                 mask_relative_threshold: float = 1e-4) -> Snapshot: ...

class Reconstruction:
    """The outcome of an M-TIP reconstruction."""
    grid_size: int
    voxel_size: float
    l_max: int
    density: npt.NDArray[np.float32]
    support: npt.NDArray[np.bool_]
    shell_q: list[float]
    real_space_error: float
    invariant_error: list[float]
    real_space_error_history: list[float]
    start_real_space_errors: list[float]
    best_start: int
    iterations_run: int
    cancelled: bool

class ParticleModel:
    """A particle with a known truth; lengths in Å, q in Å⁻¹."""
    @staticmethod
    def builtin(name: str) -> ParticleModel: ...
    @staticmethod
    def names() -> list[str]: ...
    @staticmethod
    def load(name_or_path: str) -> ParticleModel: ...
    @staticmethod
    def from_json(text: str) -> ParticleModel: ...
    @staticmethod
    def sphere(radius: float, amplitude: float = 1.0) -> ParticleModel: ...
    @staticmethod
    def dumbbell(separation: float, sigma: float = 0.0, amplitude: float = 1.0) -> ParticleModel: ...
    name: str
    extent: float
    scatterers: int
    def to_json(self) -> str: ...
    def intensity(self, q: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def density(self, n: int, voxel: float) -> npt.NDArray[np.float32]: ...

class Simulator:
    """Simulated FXS shots; shot i depends only on (seed, i)."""
    def __init__(self, model: ParticleModel, mean_particles: float = 1.0, poisson_particles: bool = False,
                 peak_photons: float = 1000.0, fluence_jitter: float = 0.0, water_ring_photons: float = 0.0,
                 poisson_noise: bool = True, seed: int = 1, sampling: str = "table", threads: int = 0) -> None: ...
    def polar_frames(self, grid: PolarGrid, wavelength: float,
                     shots: Union[int, Iterable[int]] = 1) -> npt.NDArray[np.float32]: ...
    def detector_frames(self, geometry: Geometry, shots: Union[int, Iterable[int]] = 1) -> npt.NDArray[np.float32]: ...
    model: ParticleModel

def open_results(path: str) -> Results: ...
def write_results(path: str, sums: Sums, grid: PolarGrid, wavelength: float = 0.0,
                  invariants: Optional[Invariants] = None, density: Optional[npt.ArrayLike] = None,
                  density_voxel: float = 0.0, configuration: str = "{}", geometry: str = "") -> None: ...
def kam_invariants(snapshot: Snapshot, grid: PolarGrid, wavelength: float, l_max: int = -1,
                   particle_diameter: float = 0.0, method: str = "least_squares", b0: str = "auto",
                   tikhonov: float = 0.0, mean_particles: float = 1.0, symmetrise: bool = True,
                   clip_negative: bool = True, limit_rank: bool = True, threads: int = 0) -> Invariants: ...
def reconstruct(invariants: Invariants, progress: Optional[Callable[[dict], Optional[bool]]] = None,
                *, grid_size: int = 64, voxel_size: float = 0.0, particle_diameter: float = 0.0,
                initial_support_scale: float = 1.3, l_max: int = -1, max_shells: int = 0, hio_beta: float = 0.9,
                shrink_wrap_sigma: float = 1.0, shrink_wrap_threshold: float = 0.25, q_squared_weights: bool = True,
                starts: int = 3, seed: int = 1, threads: int = 0, density_every: int = 0,
                cycles: Optional[Tuple[int, int, int, int]] = None) -> Reconstruction: ...
