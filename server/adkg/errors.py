"""The exceptions adkg raises, one small hierarchy in five families.

``AdkgError``
    Base of every error adkg raises on purpose; anything else reaching the top is a bug. Every
    error pickles with its fields, so a query worker can hand it to the server process.

``SourceError``: the project's files are unfit to read.

    ``SourceSyntaxError``
        A source file (Turtle or SPARQL) cannot be parsed. Carries the file and, where the parser
        reports it, the line, so the message reads ``path:line: what is wrong``.
    ``LayoutError``
        A project folder or seed file is missing, or a source file lies in a folder that maps to
        no named graph (such as ``graph/x.ttl`` instead of ``graph/entities/``).
    ``SeedChangedError``
        A seed file is not the text its metadata records: its SHA-256, byte size or character
        count differ, so anchors written against the recorded text cannot be trusted. Carries
        the file and each difference.
    ``LosslessFormatError``
        Canonical serialization would not reproduce the file's graph term for term (rdflib's
        Turtle parser rewrites some literals, such as ``1.0e3`` into ``1e+03``). The file is left
        as it is, and the message shows a triple that would change.
    ``CommentDropError``
        Rewriting a file (``adkg fmt``, ``adkg anchor``) would drop a Turtle comment, which is no
        part of the graph. The file is left as it is; carries the file, the line and the comment.
    ``ShapeError``
        A SHACL shape cannot be run by adkg's SPARQL engine: it uses a part of SHACL the engine
        does not compile (``adkg validate --engine pyshacl`` can check it), or its ``sh:select``
        does not parse. Carries the shape (or SPARQL constraint) and the problem.

``BuildError``
    A build step found the sources unfit to publish (anchors that do not match the seed, SHACL
    violations) or could not run (another build holds the lock); carries the step and the
    findings. The served store is left as it was.

``UiInstallError``
    The query UI (YASGUI, from npm) could not be installed: ``npm ci`` failed, or the pinned
    version in ``server/ui/package.json`` cannot be read. Carries npm's output. Where npm is
    absent nothing is raised: the UI is optional, and its page says how to get it.

``StoreError``: the data folder cannot give what is asked of it.

    ``StoreNotFoundError``
        No store has been built yet where a command needs one.

``QueryError``: a query or update cannot be answered as asked. Each maps to one HTTP status
(``adkg.web.errors``); the command line prints the message and exits 2.

    ``QuerySyntaxError`` (400)
        The SPARQL text does not parse; carries the ``line`` and ``column`` where the parser
        stopped, as Oxigraph reports them.
    ``ProtocolError`` (400)
        The request breaks the SPARQL 1.1 Protocol: a missing or repeated ``query`` parameter,
        both ``query`` and ``update``, a body that is not UTF-8, an unknown ``format``.
    ``UnsupportedMediaTypeError`` (415)
        A POST body whose Content-Type is missing or not one the protocol allows.
    ``NotAcceptableError`` (406)
        No result format asked for fits the query's form; carries the formats that would.
    ``QueryRefusedError`` (403)
        The request asks for what this endpoint does not do: an update on a read-only endpoint.

        ``ServiceNotAllowedError`` (400)
            A SERVICE call to an endpoint not in ``ADKG_SERVICE_ALLOWLIST``, refused before any
            connection: the query is one this endpoint will not run as written.
    ``UnauthorizedError`` (401)
        An update without the bearer token ``ADKG_UPDATE_TOKEN``, or with another one.
    ``QueryTooLargeError`` (413)
        The query text is longer than ``ADKG_MAX_QUERY_BYTES``.
    ``ResultTooLargeError`` (507)
        The serialized results grew past ``ADKG_MAX_RESULT_BYTES``.
    ``QueryTimeout`` (503)
        The query ran past its time limit; its worker process was ended.
    ``QueryCrashedError`` (500)
        The query engine died on the query (pyoxigraph crashes on some inputs); only its
        worker process was lost.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final, Self


def _rebuild(cls: type[AdkgError], args: tuple[Any, ...], state: dict[str, Any]) -> AdkgError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class AdkgError(Exception):
    """Base class of the errors adkg raises on purpose.

    >>> import pickle
    >>> error = pickle.loads(pickle.dumps(QuerySyntaxError("error at 2:7: expected }")))
    >>> (str(error), error.line, error.column)
    ('error at 2:7: expected }', 2, 7)
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, self.__dict__))


class SourceError(AdkgError):
    """A project file is unfit to read."""


class SourceSyntaxError(SourceError):
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


class LayoutError(SourceError):
    """A project folder or file is missing, or a source file lies where no named graph maps."""


class SeedChangedError(SourceError):
    """A seed file differs from what the graph's metadata records for it.

    >>> print(SeedChangedError(Path("seeds/a.txt"), ["10 bytes, the metadata records 11"]))
    seeds/a.txt is not the text its metadata records (10 bytes, the metadata records 11); restore it, ...
    """

    def __init__(self, path: Path, differences: list[str]) -> None:
        self.path = path
        self.differences = differences
        super().__init__(
            f"{path} is not the text its metadata records ({'; '.join(differences)});"
            " restore it, or record the new text as a new source"
        )


class LosslessFormatError(SourceError):
    """Canonical serialization of a file would change its graph."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(
            f"{path}: canonical serialization would change the graph, so the file is left"
            f" unchanged: {detail}"
        )


class CommentDropError(SourceError):
    """Rewriting a file would drop a comment, which belongs in the data or nowhere."""

    def __init__(self, path: Path, line: int, comment: str) -> None:
        self.path = path
        self.line = line
        self.comment = comment
        super().__init__(
            f"{path}:{line}: rewriting the file would drop the comment {comment!r}, so it is left"
            " unchanged: say it in the data (rdfs:comment, skos:definition, skos:scopeNote,"
            " skos:editorialNote) or remove it"
        )


class ShapeError(SourceError):
    """A shape that adkg's SPARQL engine cannot run.

    >>> str(ShapeError("<urn:s>", "uses sh:equals, which the SPARQL engine does not compile"))
    '<urn:s>: uses sh:equals, which the SPARQL engine does not compile'
    """

    def __init__(self, shape: str, problem: str) -> None:
        self.shape = shape
        self.problem = problem
        super().__init__(f"{shape}: {problem}")


class BuildError(AdkgError):
    """A build step found the sources unfit to publish, or could not run; nothing was swapped in."""

    def __init__(self, step: str, findings: list[str]) -> None:
        self.step = step
        self.findings = findings
        super().__init__(f"build failed at {step}: {len(findings)} problems\n" + "\n".join(findings))


class UiInstallError(AdkgError):
    """The query UI could not be installed from npm; the message says why."""


class StoreError(AdkgError):
    """The data folder cannot give what is asked of it."""


class StoreNotFoundError(StoreError):
    """No built store exists at the expected place."""


class QueryError(AdkgError):
    """A query or update cannot be answered as asked."""


_POSITION: Final = re.compile(r"\bat (\d+):(\d+)")


class QuerySyntaxError(QueryError):
    """The SPARQL text does not parse; ``line`` and ``column`` say where (as Oxigraph reports them).

    >>> error = QuerySyntaxError("error at 3:2: expected OPTIONAL")
    >>> (error.line, error.column)
    (3, 2)
    >>> str(QuerySyntaxError("error at 1:5: x").naming(Path("q.rq")))
    'q.rq: error at 1:5: x'
    """

    def __init__(self, message: str) -> None:
        found = _POSITION.search(message)
        self.line = int(found.group(1)) if found else None
        self.column = int(found.group(2)) if found else None
        self.message = message
        super().__init__(message)

    def naming(self, path: Path) -> Self:
        """Return the same error with its message prefixed by the file it came from."""
        named = type(self)(f"{path}: {self.message}")
        named.line, named.column = self.line, self.column
        return named


class ProtocolError(QueryError):
    """The request breaks the SPARQL 1.1 Protocol."""


class UnsupportedMediaTypeError(QueryError):
    """A request body's Content-Type is missing or not allowed."""


class NotAcceptableError(QueryError):
    """No result format asked for fits the query's form; ``available`` lists those that would."""

    def __init__(self, message: str, available: list[str]) -> None:
        self.available = available
        super().__init__(f"{message}; available: {', '.join(available)}")


class QueryRefusedError(QueryError):
    """The endpoint does not do what the query or update asks (update when read-only, LOAD, SERVICE)."""


class ServiceNotAllowedError(QueryRefusedError):
    """A SERVICE names an endpoint not allowed (or none that can be checked)."""


class UnauthorizedError(QueryError):
    """An update came without the bearer token, or with another one."""


class QueryTooLargeError(QueryError):
    """The query text is longer than the limit."""


class ResultTooLargeError(QueryError):
    """The serialized results grew past the limit."""


class QueryTimeout(QueryError):
    """The query ran past its time limit; its worker process was ended."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"the query ran longer than its time limit of {seconds:g} s and was stopped"
            " (ADKG_QUERY_TIMEOUT)"
        )


class QueryCrashedError(QueryError):
    """The query engine died on the query; only its worker process was lost."""
