"""The SPARQL 1.1 Protocol's requests (query by GET, POST form and POST direct), checked.

Strict where the protocol is: one ``query`` (or ``update``) per request, a body that is UTF-8, a
Content-Type the protocol allows; lenient where real clients are: ``format``, ``output`` and
``results`` parameters (SPARQLWrapper, rdflib) choose the result format like Accept does.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl

from adkg.errors import ProtocolError, QueryRefusedError, UnauthorizedError, UnsupportedMediaTypeError
from adkg.settings import Settings
from adkg.sparql import DatasetSpec
from adkg.store import build_id, store_report

FORM: Final = "application/x-www-form-urlencoded"
QUERY: Final = "application/sparql-query"
UPDATE: Final = "application/sparql-update"
#: Parameters that choose a result format besides Accept, in the order they are looked at.
FORMAT_PARAMETERS: Final = ("format", "output", "results")
#: An entity tag in a list (RFC 9110, section 8.8.3): the opaque tag, quotes included, is group 1.
_ENTITY_TAG: Final = re.compile(r'(?:W/)?("[^"]*")')


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


def store_headers(store: Path) -> dict[str, str]:
    """Which store answered, and whether an update changed it since its build."""
    return {
        "X-Adkg-Store": store.name,
        "X-Adkg-Build": build_id(store),
        "X-Adkg-Changed-Since-Build": "true" if store_report(store).get("changed_since_build") else "false",
    }


def etag_listed(if_none_match: str, etag: str) -> bool:
    """Return whether the If-None-Match value ``if_none_match`` lists ``etag``, compared weakly
    as RFC 9110 has it for If-None-Match (a ``W/`` on either side is ignored); ``*`` lists none
    (whether a representation exists is for the caller to say).

    >>> etag_listed('"x", W/"s-1"', 'W/"s-1"'), etag_listed('"s-1"', 'W/"s-1"'), etag_listed('W/"s-2"', 'W/"s-1"')
    (True, True, False)
    >>> etag_listed("*", 'W/"s-1"'), etag_listed('"a,b", "s-1"', 'W/"s-1"')
    (False, True)
    """
    return etag.removeprefix("W/") in _ENTITY_TAG.findall(if_none_match)
