"""The query UI: YASGUI, installed from npm into ``server/ui``, and the example queries it offers.

YASGUI (``@zazuko/yasgui``, pinned in ``server/ui/package.json`` and its lock file) is installed
with ``npm ci`` by ``adkg ui`` and ``adkg up`` and served by adkg as static files, so the UI needs
no CDN and no internet. Where npm is absent the install is skipped: the endpoint and every other
page work without it, and the UI's page says how to get it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from adkg.errors import UiInstallError
from adkg.sources import folder_files

#: The npm package of the query UI.
PACKAGE: Final = "@zazuko/yasgui"
#: The files of the package adkg serves, from its ``build/`` folder.
ASSETS: Final = frozenset({"yasgui.min.js", "yasgui.min.css"})
#: What the UI's page and ``adkg ui`` tell a user without npm.
HOW_TO_INSTALL: Final = (
    "install Node.js and npm (Debian: apt-get install nodejs npm), then run `adkg ui` "
    "(or `adkg up`) in the project"
)


@dataclass(frozen=True, slots=True)
class Yasgui:
    """YASGUI as installed: the folder its served files are in, and its version."""

    build: Path
    version: str


@dataclass(frozen=True, slots=True)
class Example:
    """An example query of ``queries/examples``: its name, the question it asks, its text."""

    name: str
    question: str
    text: str


def pinned_version(ui_folder: Path) -> str:
    """Return the version of YASGUI that ``ui_folder/package.json`` pins.

    Raises:
        UiInstallError: the file is missing, or pins no exact version of the package.
    """
    manifest = ui_folder / "package.json"
    try:
        version = json.loads(manifest.read_text(encoding="utf-8"))["dependencies"][PACKAGE]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UiInstallError(f"{manifest}: cannot read the pinned version of {PACKAGE} ({error})") from error
    if not isinstance(version, str) or not version[:1].isdigit():
        raise UiInstallError(f"{manifest}: {PACKAGE} must be pinned to one version, not {version!r}")
    return version


def find_yasgui(ui_folder: Path) -> Yasgui | None:
    """Return YASGUI as installed under ``ui_folder/node_modules``, or None where it is not
    (npm never ran there) or some of its served files are missing.

    >>> find_yasgui(Path("/nonexistent")) is None
    True
    """
    package = ui_folder / "node_modules" / PACKAGE
    try:
        version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    build = package / "build"
    if not isinstance(version, str) or not all((build / name).is_file() for name in ASSETS):
        return None
    return Yasgui(build, version)


def install_yasgui(ui_folder: Path, *, npm: str | None = None) -> Yasgui | None:
    """Install the pinned YASGUI under ``ui_folder`` with ``npm ci`` (from the lock file, without
    running packages' install scripts), unless that version is installed already.

    Args:
        npm: the npm program; by default the one on PATH.

    Returns:
        YASGUI as installed, or None where npm is not found (nothing is done).

    Raises:
        UiInstallError: npm failed (its output is in the message), or installed something else.
    """
    wanted = pinned_version(ui_folder)
    installed = find_yasgui(ui_folder)
    if installed is not None and installed.version == wanted:
        return installed
    program = npm or shutil.which("npm")
    if program is None:
        return None
    command = [program, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(command, cwd=ui_folder, capture_output=True, text=True, check=False)
    except OSError as error:
        raise UiInstallError(f"cannot run {program}: {error}") from error
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise UiInstallError(f"`npm ci` in {ui_folder} failed (exit {done.returncode}):\n{output}")
    installed = find_yasgui(ui_folder)
    if installed is None or installed.version != wanted:
        found = "nothing usable" if installed is None else installed.version
        raise UiInstallError(f"`npm ci` in {ui_folder} installed {found}, not {PACKAGE} {wanted}")
    return installed


def question(text: str) -> str:
    """Return the question an example query's opening comment asks: its ``Question:`` lines,
    up to the ``Returns`` that follows.

    >>> question("# Question: who said\\n# what?\\n# Returns one row.\\nSELECT * {}")
    'who said what?'
    """
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        words = line.lstrip("#").strip()
        if words.startswith("Returns"):
            break
        lines.append(words.removeprefix("Question:").strip())
    return " ".join(word for word in lines if word)


def examples(folder: Path) -> list[Example]:
    """Return the example queries of ``folder`` (``NAME.rq``), in name order."""
    found = []
    for path in folder_files(folder, "*.rq"):
        text = path.read_text(encoding="utf-8")
        found.append(Example(path.stem, question(text), text))
    return found
