"""Running ``adkg serve`` as a real process on 127.0.0.1 for the tests that talk HTTP to it."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def adkg_serve(root: Path, *, log: Path, **env: str) -> Iterator[str]:
    """Run ``adkg serve`` over the project at ``root`` with ``env`` added to the environment
    (``ADKG_UPDATE_TOKEN`` only if given); yield its base URL once /health answers, stop it after.

    Its output goes to ``log``, shown if it does not start within 30 s.
    """
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "ADKG_UPDATE_TOKEN"}
    environment.update(ADKG_PROJECT_ROOT=str(root), **env)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "adkg", "serve", "--port", str(port)],
            env=environment, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"adkg serve did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def recording_listener() -> Iterator[tuple[str, list[bytes]]]:
    """Listen on a free port of 127.0.0.1; yield a SPARQL endpoint URL there and the list of
    what each connection to it sent first (no connection: an empty list)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            seen.append(connection.recv(200))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", seen
    finally:
        stop.set()
        thread.join()
        server.close()


def linked_query(page: str, words: str) -> str:
    """The query that the link to the query UI whose text starts with ``words`` on ``page`` carries."""
    hrefs = re.findall(rf'<a href="([^"]*/sparql\?query=[^"]+)">{re.escape(words)}', page)
    assert hrefs, f"no link to the query UI reading {words!r}"
    return urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(hrefs[0])).query)["query"][0]
