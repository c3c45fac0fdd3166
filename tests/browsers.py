"""Debian's headless Chromium, driven by Playwright for Python, for the tests of pages in a browser.

The README's test command installs the package ``chromium`` (``/usr/bin/chromium``); Playwright
never downloads a browser of its own here. The flags keep Chromium off the network this machine
does not reach, and each launch gets a new, empty profile.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM: Final = Path("/usr/bin/chromium")
FLAGS: Final = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


@contextmanager
def chromium() -> Iterator[BrowserContext]:
    """Yield a headless Chromium (a fresh profile, 1280x900); close it after.

    Raises:
        RuntimeError: Debian's Chromium is not installed.
    """
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if executable is None:
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's package chromium (the README's test command does)"
        )
    with tempfile.TemporaryDirectory(prefix="adkg-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(executable), args=list(FLAGS), headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
