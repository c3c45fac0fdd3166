"""The queries behind the server's pages (``queries/pages/*.rq``), run on query workers like any
query, their answers kept in the cache of results like the endpoint's."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pyoxigraph
from fastapi.responses import Response

from adkg.result_cache import CachedResult, result_key
from adkg.sparql import FormatChoice, GraphFormat, Policy, check_query
from adkg.vocab import PREFIXES
from adkg.web.querying import run_query
from adkg.web.services import Services
from adkg.workers import Job


def page_query(pages_folder: Path, name: str, variable: str, term: str) -> str:
    """The query ``queries/pages/NAME.rq`` with ``term`` in place of ``?variable`` (outside its
    comments): an IRI (written ``<iri>``), or a term already in SPARQL's syntax (a literal such as
    ``"a|b"``).

    >>> "<urn:x> prov:wasDerivedFrom" in page_query(Path("queries/pages"), "resource", "resource", "urn:x")
    True
    >>> 'REGEX(?label, "a|b", "i")' in page_query(Path("queries/pages"), "label-search", "words", '"a|b"')
    True
    """
    written = term if term.startswith('"') else f"<{term}>"
    lines = (pages_folder / f"{name}.rq").read_text(encoding="utf-8").splitlines(keepends=True)
    # the opening comment, which names the variable, is left as it is
    return "".join(line if line.startswith("#") else line.replace(f"?{variable}", written) for line in lines)


async def answer(services: Services, query: str, choice: FormatChoice) -> bytes:
    """Return the whole answer to ``query`` in ``choice``'s format: from the cache of results
    when it holds it for the store being served, else run on a query worker and kept there."""
    settings = services.settings
    job = Job(
        store=services.data.require_current(), query=query, scan=check_query(query, policy=Policy()),
        choice=choice, max_result_bytes=settings.max_result_bytes,
    )
    key = result_key(job)
    cached = services.cache.get(key) if key is not None else None
    if cached is not None:
        return cached.body
    results = await run_query(services.pool, job, timeout=settings.time_limit(job.scan))
    body = results.first + b"".join([chunk async for chunk in results])
    if key is not None:
        services.cache.put(key, CachedResult(results.format, body))
    return body


async def described(services: Services, query: str) -> list[pyoxigraph.Triple]:
    """Return the triples the CONSTRUCT ``query`` answers (by :func:`answer`), each once."""
    found = await answer(services, query, FormatChoice(None, GraphFormat.NTRIPLES))
    return list(dict.fromkeys(pyoxigraph.parse(found, format=pyoxigraph.RdfFormat.N_TRIPLES)))


def rdf_response(triples: list[pyoxigraph.Triple], graph_format: GraphFormat, headers: dict[str, str]) -> Response:
    """The triples of a page's query in ``graph_format``, written with the project's prefixes
    (Turtle for people)."""
    rdf_format = graph_format.oxigraph
    body = pyoxigraph.serialize(triples, format=rdf_format, prefixes=dict(PREFIXES))
    return Response(cast("bytes", body), media_type=rdf_format.media_type, headers=headers)
