"""``python -m adkg.web [--host H] [--port P]``: serve the built store; what ``adkg serve`` runs.

``adkg serve`` and ``adkg up`` replace their own process with this one (``exec``), so the server
holds only the serving path in memory: no rdflib, no SHACL, nothing the build parsed.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn

from adkg.errors import AdkgError
from adkg.settings import get_settings
from adkg.store import DataFolder
from adkg.web.app import create_app


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; return the exit status (2 when there is nothing to serve)."""
    parser = argparse.ArgumentParser(prog="adkg serve", description=__doc__)
    parser.add_argument("--host", help="address to listen on (ADKG_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (ADKG_PORT, 8000)")
    arguments = parser.parse_args(argv)
    changes = {key: value for key, value in vars(arguments).items() if value is not None}
    settings = get_settings().model_copy(update=changes)
    try:
        DataFolder(settings.data_folder).require_current()
    except AdkgError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"serving the SPARQL endpoint at http://{settings.host}:{settings.port}/sparql (Ctrl-C stops)", flush=True)
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, root_path=settings.root_path, log_level="info"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
