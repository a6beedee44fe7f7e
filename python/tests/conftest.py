"""Shared fixtures of the fxs pytest suite: where the sources, the programs and ../shared's data are."""
import os
import pathlib
import sys

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("FXS_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def geometry_dir():
    """../shared/data/geometry beside the checkout (real CrystFEL files); the test is skipped when it is absent."""
    d = SOURCE_DIR.parent / "shared" / "data" / "geometry"
    if not d.is_dir():
        pytest.skip(f"{d} is absent (real geometry files live in ../shared)")
    return d


@pytest.fixture(scope="session")
def crystfel_oracle():
    """tests/engine/crystfel_geom_q.py: CrystFEL's pixel positions written from crystfel_geometry(5)."""
    sys.path.insert(0, str(SOURCE_DIR / "tests" / "engine"))
    import crystfel_geom_q

    return crystfel_geom_q
