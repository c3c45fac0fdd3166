"""The exceptions adkg raises, one small hierarchy.

``AdkgError``
    Base of every error adkg raises on purpose; anything else reaching the top is a bug.

    ``SourceSyntaxError``
        A source file (Turtle or SPARQL) cannot be parsed. Carries the file and, where the parser
        reports it, the line, so the message reads ``path:line: what is wrong``.

    ``LosslessFormatError``
        Canonical serialization would not reproduce the graph it was given. The file is left as
        it is; this is a defect in adkg or rdflib, never in the user's file.

The command-line interface maps every ``AdkgError`` to exit status 2 with its message; check
failures (a file not canonical, a lint violation) are results, not exceptions, and exit 1.
"""

from __future__ import annotations

from pathlib import Path


class AdkgError(Exception):
    """Base class of the errors adkg raises on purpose."""


class SourceSyntaxError(AdkgError):
    """A source file cannot be parsed.

    >>> str(SourceSyntaxError(Path("graph/a.ttl"), 12, "unexpected end of file"))
    'graph/a.ttl:12: unexpected end of file'
    >>> str(SourceSyntaxError(Path("q.rq"), None, "bad token"))
    'q.rq: bad token'
    """

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class LosslessFormatError(AdkgError):
    """Canonical serialization of a file would change its graph."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: canonical serialization does not reproduce the graph; file left unchanged"
        )
