"""The fxs-server client: ``Session(server, token_file).submit(spec)``, ``watch(job_id)``, ``fetch(job_id, path)``."""
from . import _fxs

if hasattr(_fxs.remote, "Session"):
    Session = _fxs.remote.Session
else:

    class Session:  # type: ignore[no-redef]
        """Unavailable: this fxs was built without the remote client (gRPC)."""

        def __init__(self, *args, **kwargs):
            raise _fxs.FxsError("fxs.remote: this fxs was built without the remote client (gRPC)")


__all__ = ["Session"]
