"""``/sparql``: the SPARQL 1.1 Protocol (query by GET, POST form and POST direct) and ``/health``.

Strict where the protocol is: one ``query`` (or ``update``) per request, a body that is UTF-8, a
Content-Type the protocol allows; lenient where real clients are: ``format``, ``output`` and
``results`` parameters (SPARQLWrapper, rdflib) choose the result format like Accept does.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Final
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from adkg.errors import (
    ProtocolError,
    QueryRefusedError,
    QueryTooLargeError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from adkg.query_text import check_size
from adkg.settings import Settings
from adkg.sparql import DatasetSpec, Policy, negotiate
from adkg.store import DataFolder, store_report
from adkg.updates import update_store
from adkg.web.deps import get_data, get_pool, get_settings
from adkg.web.querying import run_query
from adkg.web.service_description import describe_service
from adkg.workers import Job, WorkerPool

router = APIRouter()

FORM: Final = "application/x-www-form-urlencoded"
QUERY: Final = "application/sparql-query"
UPDATE: Final = "application/sparql-update"
#: Parameters that choose a result format besides Accept, in the order they are looked at.
FORMAT_PARAMETERS: Final = ("format", "output", "results")


class Operation(StrEnum):
    """What a request to /sparql asks for."""

    QUERY = "query"
    UPDATE = "update"
    DESCRIPTION = "description"


@dataclass(frozen=True, slots=True)
class SparqlRequest:
    """A request to /sparql, checked against the protocol."""

    operation: Operation
    text: str
    dataset: DatasetSpec
    format_name: str | None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"the request body is not UTF-8: byte {error.start} is not valid") from error


def _one(parameters: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in parameters if key == name]
    if len(values) > 1:
        raise ProtocolError(f"the parameter {name!r} is given {len(values)} times; give it once")
    return values[0] if values else None


def parse_request(method: str, url_query: str, media_type: str | None, body: bytes) -> SparqlRequest:
    """Return what a GET or POST to /sparql asks for.

    >>> parse_request("GET", "query=ASK%7B%7D&default-graph-uri=urn:g", None, b"").dataset
    DatasetSpec(default_graphs=('urn:g',), named_graphs=())
    >>> parse_request("POST", "", "application/sparql-query", b"ASK {}").text
    'ASK {}'

    Raises:
        ProtocolError: a missing or repeated parameter, query with update, a body not UTF-8.
        UnsupportedMediaTypeError: a POST whose Content-Type is missing or not allowed.
    """
    try:
        parameters = parse_qsl(url_query, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError as error:
        raise ProtocolError("the URL's query string is not UTF-8") from error
    direct: tuple[Operation, str] | None = None
    if method == "POST":
        if media_type == FORM:
            try:
                parameters += parse_qsl(_decode(body), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError as error:
                raise ProtocolError("the form is not UTF-8 once percent-decoded") from error
        elif media_type == QUERY:
            direct = (Operation.QUERY, _decode(body))
        elif media_type == UPDATE:
            direct = (Operation.UPDATE, _decode(body))
        else:
            raise UnsupportedMediaTypeError(
                f"a POST to /sparql needs Content-Type {FORM}, {QUERY} or {UPDATE}; got {media_type or 'none'}"
            )
    query, update = _one(parameters, "query"), _one(parameters, "update")
    if direct is not None and (query is not None or update is not None):
        raise ProtocolError(f"a {direct[0].value} sent as the body must not also come as a parameter")
    if query is not None and update is not None:
        raise ProtocolError("give either 'query' or 'update', not both")
    if update is not None and method != "POST":
        raise ProtocolError("SPARQL Update is accepted only by POST")
    if direct is not None:
        operation, text = direct
    elif query is not None:
        operation, text = Operation.QUERY, query
    elif update is not None:
        operation, text = Operation.UPDATE, update
    elif method == "GET":
        operation, text = Operation.DESCRIPTION, ""
    else:
        raise ProtocolError("the request has no 'query' (or 'update') parameter")
    graphs = ("using-graph-uri", "using-named-graph-uri") if operation is Operation.UPDATE else (
        "default-graph-uri", "named-graph-uri")
    dataset = DatasetSpec(
        tuple(value for key, value in parameters if key == graphs[0]),
        tuple(value for key, value in parameters if key == graphs[1]),
    )
    format_name = next(
        (value for name in FORMAT_PARAMETERS for key, value in parameters if key == name and value), None
    )
    return SparqlRequest(operation, text, dataset, format_name)


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[WorkerPool, Depends(get_pool)]
DataDep = Annotated[DataFolder, Depends(get_data)]


@router.api_route("/sparql", methods=["GET", "POST"])
async def sparql(request: Request, settings: SettingsDep, pool: PoolDep, data: DataDep) -> Response:
    """The SPARQL endpoint: queries, the service description, and updates (with the token)."""
    raw_type = request.headers.get("content-type")
    media_type = raw_type.split(";")[0].strip().lower() if raw_type else None
    body = await _read_body(request, limit=settings.max_query_bytes) if request.method == "POST" else b""
    parsed = parse_request(request.method, request.url.query, media_type, body)
    accept = request.headers.get("accept")
    endpoint = str(request.url.replace(query=""))
    if parsed.operation is Operation.DESCRIPTION:
        document, media = describe_service(
            data.require_current(), endpoint=endpoint, accept=accept, format_name=parsed.format_name,
            federation=bool(settings.service_allowlist), updates=settings.update_token is not None,
        )
        return Response(document, media_type=media, headers={"Vary": "Accept"})
    check_size(parsed.text, max_bytes=settings.max_query_bytes)
    policy = Policy(service_allowlist=settings.service_allowlist)
    if parsed.operation is Operation.UPDATE:
        authorize_update(settings, request.headers.get("authorization"))
        new = await anyio.to_thread.run_sync(lambda: update_store(
            data, parsed.text, dataset=parsed.dataset, policy=policy,
            reports_folder=settings.reports_folder, timeout=settings.time_limit(parsed.text), base_iri=endpoint,
        ))
        return Response(status_code=204, headers=_store_headers(new))
    job = Job(
        store=data.require_current(),
        query=parsed.text,
        dataset=parsed.dataset,
        choice=negotiate(accept, format_name=parsed.format_name),
        policy=policy,
        max_result_bytes=settings.max_result_bytes,
        base_iri=endpoint,
    )
    running = await run_query(pool, job, timeout=settings.time_limit(job.query))
    headers = {"Vary": "Accept", **_store_headers(job.store)}
    media = running.start.format.media_type
    if running.start.finished:
        return Response(running.start.data, media_type=media, headers=headers)
    return StreamingResponse(running.chunks(), media_type=media, headers=headers)


async def _read_body(request: Request, *, limit: int) -> bytes:
    """Return the request body, read no further than the query size limit allows.

    A form body may percent-encode each byte of the query as three, so it may be three times
    the limit; the decoded query is checked against the limit itself.

    Raises:
        QueryTooLargeError: the body is longer.
    """
    allowed = 3 * limit + 1024
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > allowed:
            raise QueryTooLargeError(
                f"the request body is longer than {allowed} bytes; queries are limited to {limit} bytes"
                " (ADKG_MAX_QUERY_BYTES)"
            )
    return bytes(body)


def authorize_update(settings: Settings, authorization: str | None) -> None:
    """Let an update through only with the bearer token ``ADKG_UPDATE_TOKEN``.

    Raises:
        QueryRefusedError: no token is set: the endpoint is read-only.
        UnauthorizedError: the request has no token, or another one.
    """
    if settings.update_token is None:
        raise QueryRefusedError(
            "this endpoint is read-only: SPARQL Update is accepted only when the server is started with"
            " ADKG_UPDATE_TOKEN"
        )
    scheme, _, token = (authorization or "").partition(" ")
    expected = settings.update_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise UnauthorizedError("SPARQL Update needs the header Authorization: Bearer <ADKG_UPDATE_TOKEN>")


def _store_headers(store: Path) -> dict[str, str]:
    """Which store answered, and whether an update changed it since its build."""
    report = store_report(store)
    return {
        "X-Adkg-Store": store.name,
        "X-Adkg-Build": report.get("build_id", store.name),
        "X-Adkg-Changed-Since-Build": "true" if report.get("changed_since_build") else "false",
    }


@router.get("/health")
async def health(settings: SettingsDep, data: DataDep) -> Response:
    """Whether the server answers, and which store it serves: build id, triples, changes."""
    current = data.current()
    if current is None:
        body: dict[str, object] = {"status": "no store", "store": None}
        return Response(json.dumps(body), status_code=503, media_type="application/json")
    report = store_report(current)
    body = {
        "status": "ok",
        "store": current.name,
        "build_id": report.get("build_id", current.name),
        "built_at": report["built_at"],
        "triples": sum(report["graphs"].values()),
        "changed_since_build": bool(report.get("changed_since_build")),
        "updates": report.get("updates", 0),
        "read_only": settings.update_token is None,
    }
    return Response(json.dumps(body), media_type="application/json")
