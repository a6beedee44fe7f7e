"""docs/PYTHON.md's session: its ```python blocks run in order in one namespace (```py blocks are shown only)."""
import re

import numpy as np


def test_python_md_session_runs(source_dir, geometry_dir, tmp_path, monkeypatch):
    text = (source_dir / "docs" / "PYTHON.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)  # the session writes session.h5 where it runs
    shared = str(geometry_dir.parent.parent)
    namespace = {}
    for i, block in enumerate(blocks):
        code = compile(block.replace("../shared", shared), f"PYTHON.md block {i + 1}", "exec")
        exec(code, namespace)
    assert namespace["snap"].shots == 24
    assert namespace["result"].density.shape == (24, 24, 24)
    assert len(namespace["errors"]) == namespace["result"].iterations_run
    assert np.isfinite(namespace["invariants"].b).all()
