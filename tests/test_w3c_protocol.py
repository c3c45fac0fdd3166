"""The W3C SPARQL 1.1 Protocol test suite, run from its manifest against a real ``adkg serve``.

The manifest and its data are a verbatim copy of the W3C suite (see ``SOURCE.txt``) in
``tests/data/w3c/sparql11-protocol/``. Every ``mf:ProtocolTest`` of ``mf:entries`` becomes a
test, named by its local name in the manifest; nothing about the tests is written here.

For each test, a fresh store is made in the server's data folder, as adkg makes them (a folder
named like ``DataFolder.new_store_path``, a ``build-report.json``), holding the files of the
test's ``ut:graphData`` (or ``qt:graphData``) each in the named graph its ``rdfs:label`` gives,
and those of ``qt:data`` in the default graph; it is swapped in with ``DataFolder.swap``, which
the server picks up on the next request. Then each ``ht:Request`` is sent in order (method,
``ht:absolutePath`` with ``/sparql/`` replaced by ``/sparql``, headers, and the ``cnt:chars``
body encoded in its ``cnt:characterEncoding``) and its ``ht:Response`` is checked:

- ``mf:expectedStatus``: the status is in one of the classes given (``hts:StatusCode4xx``...);
- ``mf:expectedFormat``: the Content-Type is one of a SPARQL results format (``"boolean"``:
  JSON or XML; ``"tabular"``: JSON, XML, CSV or TSV) or an RDF syntax (``"RDF"``), restricted
  to those the test's name lists when it says "(expect one of: ...)", and the body parses as
  such a document: an ASK or a SELECT result (rdflib), or RDF (pyoxigraph);
- ``mf:expectedBoolean``: the ASK result has that value.

The suite runs twice, against two servers started once each for the module on a free port of
127.0.0.1: one read-only (no ``ADKG_UPDATE_TOKEN``), where the tests that expect an update to
succeed are expected failures (the endpoint refuses updates with 403 by design), and one with
``ADKG_UPDATE_TOKEN``, where ``Authorization: Bearer <token>`` is added to every request that
carries an update. Run it with ``pytest tests/test_w3c_protocol.py``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlsplit
from urllib.request import url2pathname

import httpx
import pytest
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.query import Result
from rdflib.term import Node

from adkg.store import REPORT, DataFolder
from conftest import DATA, PROJECT_ROOT
from servers import adkg_serve

SUITE: Final = DATA / "w3c" / "sparql11-protocol"
MANIFEST: Final = SUITE / "manifest.ttl"
TOKEN: Final = "w3c-protocol-suite"

MF: Final = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT: Final = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT: Final = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT: Final = Namespace("http://www.w3.org/2011/http#")
CNT: Final = Namespace("http://www.w3.org/2011/content#")
HTS: Final = Namespace("http://www.w3.org/2011/http-statusCodes#")

FORM: Final = "application/x-www-form-urlencoded"
UPDATE: Final = "application/sparql-update"
SPARQL_JSON: Final = "application/sparql-results+json"
SPARQL_XML: Final = "application/sparql-results+xml"
CSV: Final = "text/csv"
TSV: Final = "text/tab-separated-values"
#: The media types that serialize each ``mf:expectedFormat``: SPARQL 1.1 defines booleans
#: only in its JSON and XML results formats; RDF is any syntax pyoxigraph parses.
FORMAT_MEDIA_TYPES: Final[dict[str, frozenset[str]]] = {
    "boolean": frozenset({SPARQL_JSON, SPARQL_XML}),
    "tabular": frozenset({SPARQL_JSON, SPARQL_XML, CSV, TSV}),
    "RDF": frozenset({
        "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
        "application/n-quads", "application/trig",
    }),
}
#: The format names test names use in "(expect one of: ...)", as media types.
NAMED_MEDIA_TYPES: Final[dict[str, frozenset[str]]] = {
    "XML": frozenset({SPARQL_XML}),
    "JSON": frozenset({SPARQL_JSON}),
    "CSV": frozenset({CSV}),
    "TSV": frozenset({TSV}),
    "RDF/XML": frozenset({"application/rdf+xml"}),
    "Turtle": frozenset({"text/turtle"}),
    "N-Triples": frozenset({"application/n-triples"}),
    "RDFa": frozenset({"text/html", "application/xhtml+xml"}),
}
EXPECT_ONE_OF: Final = re.compile(r"\(expect one of: ([^)]*)\)")
STATUS_CLASS: Final = re.compile(r"StatusCode([1-5])xx")

#: Tests that fail because of a gap in the server, by local name, with why; each is an expected
#: failure (strict: it must fail, so that fixing the server means removing it from here).
SERVER_GAPS: Final[dict[str, str]] = {}
#: Why the tests that need an update to succeed fail on a read-only endpoint.
READ_ONLY: Final = "a read-only endpoint (no ADKG_UPDATE_TOKEN) refuses every update with 403, by design"


# The manifest ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expected:
    """What an ``ht:Response`` of the manifest expects."""

    status_classes: frozenset[int]
    format: str | None
    media_types: frozenset[str]
    boolean: bool | None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One ``ht:Request`` of a test, and the response it expects."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected

    @property
    def media_type(self) -> str | None:
        """The request's Content-Type without parameters, lowercased, if it has one."""
        values = [value for name, value in self.headers if name.lower() == "content-type"]
        return values[0].split(";")[0].strip().lower() if values else None

    @property
    def is_update(self) -> bool:
        """Whether the request carries a SPARQL Update (direct, in a form, or in the URL)."""
        parameters = parse_qsl(urlsplit(self.path).query)
        if self.body is not None and self.media_type in {FORM, None}:
            parameters += parse_qsl(self.body.decode("utf-8", errors="replace"))
        return self.media_type == UPDATE or any(name == "update" for name, _ in parameters)


@dataclass(frozen=True, slots=True)
class GraphData:
    """A data file of a test, and the graph it is loaded into (None: the default graph)."""

    graph: str | None
    file: Path


@dataclass(frozen=True, slots=True)
class ProtocolTest:
    """An ``mf:ProtocolTest``: its data, and its requests in order."""

    name: str
    title: str
    data: tuple[GraphData, ...]
    exchanges: tuple[Exchange, ...]

    @property
    def needs_updates(self) -> bool:
        """Whether the test expects an update to succeed (it cannot on a read-only endpoint)."""
        return any(e.is_update and 2 in e.expected.status_classes for e in self.exchanges)


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise ValueError(f"{subject} has {len(values)} values of {predicate}, expected at most one")
    return values[0] if values else None


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    value = _one(graph, subject, predicate)
    if not isinstance(value, Literal):
        raise ValueError(f"{subject} needs a literal {predicate}")
    return str(value)


def _items(graph: Graph, subject: Node, predicate: URIRef) -> list[Node]:
    """Return the values of ``predicate``, each RDF list among them replaced by its items."""
    items: list[Node] = []
    for value in graph.objects(subject, predicate):
        is_list = value == RDF.nil or (isinstance(value, BNode) and (value, RDF.first, None) in graph)
        items += list(Collection(graph, value)) if is_list else [value]
    return items


def _local_file(iri: Node) -> Path:
    """Return the file of the suite that the data IRI ``iri`` (relative to the manifest) names."""
    parts = urlsplit(str(iri))
    path = Path(url2pathname(parts.path)).resolve()
    if parts.scheme != "file" or not path.is_relative_to(SUITE.resolve()) or not path.is_file():
        raise ValueError(f"{iri} is not a file of the suite in {SUITE}")
    return path


def _data(graph: Graph, test: Node) -> tuple[GraphData, ...]:
    data: list[GraphData] = []
    for holder in (test, _one(graph, test, MF.action)):
        if holder is None:
            continue
        data += [GraphData(None, _local_file(file)) for file in graph.objects(holder, QT.data)]
        for named in [*graph.objects(holder, UT.graphData), *graph.objects(holder, QT.graphData)]:
            file = _one(graph, named, UT.graph) or _one(graph, named, QT.graph)
            if file is None:
                raise ValueError(f"the graph data {named} of {test} names no file")
            data.append(GraphData(_text(graph, named, RDFS.label), _local_file(file)))
    return tuple(data)


def _status_classes(graph: Graph, response: Node) -> frozenset[int]:
    classes: set[int] = set()
    for status in _items(graph, response, MF.expectedStatus):
        match = STATUS_CLASS.fullmatch(str(status).removeprefix(str(HTS)))
        if match is None:
            raise ValueError(f"unsupported mf:expectedStatus {status}")
        classes.add(int(match.group(1)))
    if not classes:
        raise ValueError(f"the response {response} has no mf:expectedStatus")
    return frozenset(classes)


def _expected(graph: Graph, response: Node, title: str) -> Expected:
    format_literal = _one(graph, response, MF.expectedFormat)
    result_format = str(format_literal) if format_literal is not None else None
    media_types: frozenset[str] = frozenset()
    if result_format is not None:
        if result_format not in FORMAT_MEDIA_TYPES:
            raise ValueError(f"unsupported mf:expectedFormat {result_format!r}")
        media_types = FORMAT_MEDIA_TYPES[result_format]
        stated = EXPECT_ONE_OF.search(title)
        if stated:
            names = [name.strip() for name in stated[1].split(",")]
            unknown = [name for name in names if name not in NAMED_MEDIA_TYPES]
            if unknown:
                raise ValueError(f"unknown formats {unknown} in the test name {title!r}")
            media_types &= frozenset().union(*(NAMED_MEDIA_TYPES[name] for name in names))
        if not media_types:
            raise ValueError(f"no media type fits {result_format!r} and the test name {title!r}")
    boolean = _one(graph, response, MF.expectedBoolean)
    return Expected(
        _status_classes(graph, response),
        result_format,
        media_types,
        bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
    )


def _exchange(graph: Graph, request: Node, title: str) -> Exchange:
    path = _text(graph, request, HT.absolutePath)
    if not path.startswith("/sparql/"):
        raise ValueError(f"ht:absolutePath {path!r} does not start with /sparql/")
    headers = tuple(
        (_text(graph, header, HT.fieldName), _text(graph, header, HT.fieldValue))
        for header in _items(graph, request, HT.headers)
    )
    content = _one(graph, request, HT.body)
    body = None
    if content is not None:
        encoding = _one(graph, content, CNT.characterEncoding)
        body = _text(graph, content, CNT.chars).encode(str(encoding) if encoding is not None else "utf-8")
    response = _one(graph, request, HT.resp)
    if response is None:
        raise ValueError(f"the request {request} has no ht:resp")
    return Exchange(
        _text(graph, request, HT.methodName),
        "/sparql" + path.removeprefix("/sparql/"),
        headers,
        body,
        _expected(graph, response, title),
    )


def load_manifest(graph: Graph) -> list[ProtocolTest]:
    """Return the protocol tests of the manifest ``graph``, in the order of its ``mf:entries``."""
    manifests = list(graph.subjects(RDF.type, MF.Manifest))
    if len(manifests) != 1:
        raise ValueError(f"the manifest should describe one mf:Manifest, not {len(manifests)}")
    tests = []
    for entry in _items(graph, manifests[0], MF.entries):
        if (entry, RDF.type, MF.ProtocolTest) not in graph:
            raise ValueError(f"the entry {entry} is not an mf:ProtocolTest")
        title = _text(graph, entry, MF.name)
        action = _one(graph, entry, MF.action)
        if action is None:
            raise ValueError(f"{entry} has no mf:action")
        tests.append(ProtocolTest(
            name=str(entry).rpartition("#")[2],
            title=title,
            data=_data(graph, entry),
            exchanges=tuple(_exchange(graph, request, title) for request in _items(graph, action, HT.requests)),
        ))
    return tests


MANIFEST_GRAPH: Final = Graph().parse(MANIFEST, format="turtle")
TESTS: Final = load_manifest(MANIFEST_GRAPH)
if not set(SERVER_GAPS) <= {test.name for test in TESTS}:
    raise ValueError(f"SERVER_GAPS names tests the manifest lacks: {set(SERVER_GAPS) - {t.name for t in TESTS}}")


# The store and the server ---------------------------------------------------------------------


def install_dataset(data_folder: DataFolder, data: Sequence[GraphData]) -> Path:
    """Make a store holding ``data`` in ``data_folder`` as adkg makes them, and serve it.

    Returns:
        the store's folder, which the data folder's ``store`` link now points at.
    """
    path = data_folder.new_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(str(path))
    for item in data:
        rdf_format = RdfFormat.from_extension(item.file.suffix.removeprefix("."))
        if rdf_format is None:
            raise ValueError(f"no RDF format is known for {item.file}")
        target = NamedNode(item.graph) if item.graph is not None else DefaultGraph()
        store.load(path=str(item.file), format=rdf_format, to_graph=target)
    graphs = {
        graph.value: sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
        for graph in store.named_graphs()
        if isinstance(graph, NamedNode)
    }
    store.flush()
    del store  # closes the store: the server's workers open it read-only
    report = {"store": str(path), "built_at": datetime.now(UTC).isoformat(timespec="seconds"), "graphs": graphs}
    (path / REPORT).write_text(json.dumps(report, indent=2), encoding="utf-8")
    with data_folder.exclusive():
        data_folder.swap(path)
        data_folder.prune(keep={path})
    return path


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A running ``adkg serve``: its base URL, its data folder, and its update token if any."""

    url: str
    data: DataFolder
    token: str | None
    log: Path


def _serve(root: Path, token: str | None) -> Iterator[Endpoint]:
    """Start ``adkg serve`` over a project at ``root`` with an empty store; stop it after."""
    shutil.copytree(PROJECT_ROOT / "queries", root / "queries")  # updates count graphs with its reports
    data = DataFolder(root / "data")
    install_dataset(data, [])
    env = {"ADKG_DATA_DIR": str(data.path), "ADKG_WORKERS": "2"}
    if token is not None:
        env["ADKG_UPDATE_TOKEN"] = token
    log = root / "serve.log"
    with adkg_serve(root, log=log, **env) as url:
        yield Endpoint(url, data, token, log)


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """``adkg serve`` without ``ADKG_UPDATE_TOKEN``: it refuses updates."""
    yield from _serve(tmp_path_factory.mktemp("w3c-read-only"), token=None)


@pytest.fixture(scope="module")
def updatable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """``adkg serve`` with ``ADKG_UPDATE_TOKEN``: it accepts updates that carry the token."""
    yield from _serve(tmp_path_factory.mktemp("w3c-updatable"), token=TOKEN)


# Running a test -------------------------------------------------------------------------------


def _describe(exchange: Exchange, response: httpx.Response) -> str:
    body = exchange.body.decode("utf-8", errors="replace") if exchange.body is not None else ""
    return (
        f"{exchange.method} {exchange.path} {dict(exchange.headers)} {body!r}\n"
        f"-> {response.status_code} {response.headers.get('content-type')}: {response.text[:500]}"
    )


def check_response(exchange: Exchange, response: httpx.Response) -> None:
    """Assert that ``response`` is what the manifest expects of ``exchange``'s response."""
    expected, where = exchange.expected, _describe(exchange, response)
    assert response.status_code // 100 in expected.status_classes, (
        f"expected a status in {sorted(f'{c}xx' for c in expected.status_classes)}\n{where}")
    if expected.format is None and expected.boolean is None:
        return
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if expected.format is not None:
        assert media_type in expected.media_types, (
            f"expected {expected.format!r} as one of {sorted(expected.media_types)}\n{where}")
    if expected.format == "RDF":
        rdf_format = RdfFormat.from_media_type(media_type)
        assert rdf_format is not None, f"no RDF syntax is known for {media_type}\n{where}"
        try:
            list(parse(response.content, format=rdf_format))
        except (SyntaxError, ValueError) as error:
            raise AssertionError(f"the body is not valid {media_type}: {error}\n{where}") from error
        return
    try:
        result = Result.parse(io.BytesIO(response.content), content_type=media_type)
    except Exception as error:  # rdflib's results parsers raise many kinds of errors
        raise AssertionError(f"the body is not a SPARQL result in {media_type}: {error}\n{where}") from error
    if expected.format == "tabular":
        assert result.type == "SELECT", f"expected a SELECT result, got {result.type}\n{where}"
    if expected.format == "boolean" or expected.boolean is not None:
        assert result.type == "ASK", f"expected an ASK result, got {result.type}\n{where}"
    if expected.boolean is not None:
        assert result.askAnswer is expected.boolean, f"expected {expected.boolean}\n{where}"


def run(endpoint: Endpoint, test: ProtocolTest) -> None:
    """Serve the test's data, send its requests in order, and check each response."""
    install_dataset(endpoint.data, test.data)
    with httpx.Client(base_url=endpoint.url, timeout=30, follow_redirects=False) as client:
        for exchange in test.exchanges:
            headers = list(exchange.headers)
            if endpoint.token is not None and exchange.is_update:
                headers.append(("Authorization", f"Bearer {endpoint.token}"))
            response = client.request(exchange.method, exchange.path, headers=headers, content=exchange.body)
            check_response(exchange, response)


def _cases(*, updates: bool) -> list[object]:
    cases: list[object] = []
    for test in TESTS:
        reason = READ_ONLY if test.needs_updates and not updates else SERVER_GAPS.get(test.name)
        marks = [pytest.mark.xfail(raises=AssertionError, strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(test, id=test.name, marks=marks))
    return cases


@pytest.mark.parametrize("test", _cases(updates=False))
def test_read_only_endpoint(read_only: Endpoint, test: ProtocolTest) -> None:
    run(read_only, test)


@pytest.mark.parametrize("test", _cases(updates=True))
def test_endpoint_with_updates(updatable: Endpoint, test: ProtocolTest) -> None:
    run(updatable, test)


def test_the_manifest_is_read_whole() -> None:
    """Every protocol test, request and data file of the manifest is run."""
    described = set(MANIFEST_GRAPH.subjects(RDF.type, MF.ProtocolTest))
    assert len(TESTS) == len(described) > 0
    requests = set(MANIFEST_GRAPH.subjects(RDF.type, HT.Request))
    assert sum(len(test.exchanges) for test in TESTS) == len(requests) > 0
    used = {item.file for test in TESTS for item in test.data}
    assert used == {path.resolve() for path in SUITE.glob("data*.nt")}
