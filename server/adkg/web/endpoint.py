"""``/sparql`` as a bare ASGI application: the SPARQL 1.1 Protocol without a web framework's stack.

Every query to the endpoint crosses this code, so it runs outside FastAPI's middleware, routing
and dependency injection, which cost a lookup more than the query itself (py-spy: ~30% of the
server's CPU per request went to FastAPI's and Starlette's layers). It parses the request
(:func:`adkg.web.protocol.parse_request`), calls the typed core and writes the response; errors
take their status from the one table in :mod:`adkg.web.errors`. Repeated queries are answered from
the cache of results (:mod:`adkg.result_cache`), whose key also makes the entity tag of an answer
to GET or HEAD: an ``If-None-Match`` that lists it is answered 304 without the query being run.
CORS comes from Starlette's middleware around it (see :func:`adkg.web.app.create_app`); everything
else the server answers (``/health``, and pages) stays with FastAPI.
"""

from __future__ import annotations

import logging
from typing import Final

import anyio.to_thread

from adkg.errors import AdkgError, QueryTooLargeError
from adkg.query_text import check_size
from adkg.result_cache import ResultKey, result_key
from adkg.sparql import Policy, check_query, negotiate
from adkg.sparql_scan import scan_sparql
from adkg.updates import update_store
from adkg.web.asgi import PLAIN_TEXT, Receive, Response, Scope, Send, content_type, header, header_list
from adkg.web.errors import error_response, unexpected_response
from adkg.web.protocol import Operation, authorize_update, etag_listed, parse_request, store_headers
from adkg.web.querying import run_query
from adkg.web.service_description import describe_service
from adkg.web.services import Services
from adkg.workers import Job

logger = logging.getLogger("adkg.web")

#: The methods /sparql answers; others get 405.
METHODS: Final = frozenset({"GET", "HEAD", "POST"})


def _endpoint_url(scope: Scope) -> str:
    """The address of the endpoint as the client called it (the base of relative IRIs)."""
    host = header(scope, b"host")
    if host is None:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}"  # the path includes any root path


async def _read_body(receive: Receive, *, limit: int) -> bytes:
    """Return the request body, read no further than the query size limit allows.

    A form body may percent-encode each byte of the query as three, so it may be three times
    the limit; the decoded query is checked against the limit itself.

    Raises:
        QueryTooLargeError: the body is longer.
    """
    allowed = 3 * limit + 1024
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        if len(body) > allowed:
            raise QueryTooLargeError(
                f"the request body is longer than {allowed} bytes; queries are limited to {limit} bytes"
                " (ADKG_MAX_QUERY_BYTES)"
            )
        if not message.get("more_body", False):
            break
    return bytes(body)


class SparqlEndpoint:
    """The ASGI application of ``/sparql``: queries, the service description, and updates."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self._answer(scope, receive)
        except AdkgError as error:
            response = error_response(error)
        except Exception:
            logger.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            response = unexpected_response()
        await response.send(send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        """Return the response to one request.

        Raises:
            AdkgError: what the request or its query is refused for.
        """
        method = scope["method"]
        if method not in METHODS:
            return Response(405, {"allow": "GET, HEAD, POST", "content-type": PLAIN_TEXT},
                            f"{method} is not allowed on /sparql: use GET or POST\n".encode())
        settings, data = self._services.settings, self._services.data
        raw_type = header(scope, b"content-type")
        media_type = raw_type.split(";")[0].strip().lower() if raw_type else None
        body = await _read_body(receive, limit=settings.max_query_bytes) if method == "POST" else b""
        parsed = parse_request(
            "GET" if method == "HEAD" else method, scope["query_string"].decode("latin-1"), media_type, body
        )
        accept = header(scope, b"accept")
        endpoint = _endpoint_url(scope)
        if parsed.operation is Operation.DESCRIPTION:
            document, media = describe_service(
                data.require_current(), endpoint=endpoint, accept=accept, format_name=parsed.format_name,
                federation=bool(settings.service_allowlist), updates=settings.update_token is not None,
            )
            return Response(200, {"content-type": content_type(media), "vary": "Accept"}, document)
        check_size(parsed.text, max_bytes=settings.max_query_bytes)
        policy = Policy(service_allowlist=settings.service_allowlist)
        if parsed.operation is Operation.UPDATE:
            authorize_update(settings, header(scope, b"authorization"))
            timeout = settings.time_limit(scan_sparql(parsed.text))
            new = await anyio.to_thread.run_sync(lambda: update_store(
                data, parsed.text, dataset=parsed.dataset, policy=policy,
                reports_folder=settings.reports_folder, timeout=timeout, base_iri=endpoint,
            ))
            return Response(204, store_headers(new))
        job = Job(
            store=data.require_current(),
            query=parsed.text,
            scan=check_query(parsed.text, policy=policy),
            dataset=parsed.dataset,
            choice=negotiate(accept, format_name=parsed.format_name),
            max_result_bytes=settings.max_result_bytes,
            base_iri=endpoint,
        )
        key = result_key(job)
        # GET and HEAD name the results by their URL, so they carry a validator; a POST does not.
        conditional = method != "POST"
        # Revalidated at each use (a build or an update can come at any time); never stored when
        # the answer can differ from one run to the next.
        cache_control = "no-store" if key is None else "no-cache"
        headers = {"vary": "Accept", **store_headers(job.store), "cache-control": cache_control}
        if key is not None and conditional:
            headers["etag"] = key.etag()
        if_none_match = header_list(scope, b"if-none-match") if conditional else None
        if if_none_match is not None and "etag" in headers and etag_listed(if_none_match, headers["etag"]):
            return Response(304, headers)
        response = await self._results(job, key, headers)
        if if_none_match is not None and if_none_match.strip() == "*":  # the results exist
            if response.rest is not None:
                await response.rest.aclose()
            return Response(304, headers)
        return response

    async def _results(self, job: Job, key: ResultKey | None, headers: dict[str, str]) -> Response:
        """Return the 200 response to ``job`` with ``headers``: from the cache when it holds its
        results under ``key`` (None for results not to be kept), else computed by a worker, and
        kept once complete.

        Raises:
            AdkgError: what the query fails with (syntax, time limit, not acceptable, too large...).
        """
        cache = self._services.cache
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                headers = {"content-type": content_type(cached.format.media_type), **headers, "x-adkg-cache": "hit"}
                return Response(200, headers, cached.body)
            headers = {**headers, "x-adkg-cache": "miss"}
        results = await run_query(self._services.pool, job, timeout=self._services.settings.time_limit(job.scan))
        headers = {"content-type": content_type(results.format.media_type), **headers}
        return Response(200, headers, results.first, cache.record(key, results))
