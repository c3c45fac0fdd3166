"""The exceptions adkg raises, one small hierarchy.

``AdkgError``
    Base of every error adkg raises on purpose; anything else reaching the top is a bug.

    ``SourceSyntaxError``
        A source file (Turtle or SPARQL) cannot be parsed. Carries the file and, where the parser
        reports it, the line, so the message reads ``path:line: what is wrong``.

    ``BuildError``
        A build step found the sources unfit to publish (anchors that do not match the seed,
        SHACL violations); carries the findings. The served store is left as it was.

    ``StoreNotFoundError``
        No store has been built yet where a command needs one.

    ``QuerySyntaxError``
        A SPARQL query does not parse; the message says where.

    ``NotAcceptableError``
        The result format asked for does not fit the query's form (Turtle for a SELECT, CSV for
        a CONSTRUCT).

    ``LayoutError``
        A source file lies in a folder that maps to no named graph (such as ``graph/x.ttl``
        instead of ``graph/entities/`` or ``graph/source/SLUG/``).

    ``LosslessFormatError``
        Canonical serialization would not reproduce the file's graph term for term (rdflib's
        Turtle parser rewrites some literals, such as ``1.0e3`` into ``1e+03``). The file is left
        as it is, and the message shows a triple that would change.

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


class BuildError(AdkgError):
    """A build step found the sources unfit to publish; nothing was swapped in."""

    def __init__(self, step: str, findings: list[str]) -> None:
        self.step = step
        self.findings = findings
        super().__init__(f"build failed at {step}: {len(findings)} problems\n" + "\n".join(findings))


class StoreNotFoundError(AdkgError):
    """No built store exists at the expected place."""


class QuerySyntaxError(AdkgError):
    """A SPARQL query does not parse."""


class NotAcceptableError(AdkgError):
    """The result format asked for does not fit the query's form."""


class LayoutError(AdkgError):
    """A source file lies where the project layout gives it no named graph."""


class LosslessFormatError(AdkgError):
    """Canonical serialization of a file would change its graph."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(
            f"{path}: canonical serialization would change the graph, so the file is left"
            f" unchanged: {detail}"
        )
