"""What every HTML page shares: the Jinja2 templates (``web/templates``) and the links between pages.

Every template gets ``root`` (the path prefix adkg is served under) so that its links work behind
a proxy, and can call ``query_link(root, text)``: the query UI opened on a query that reproduces
what the page shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates


def root(request: Request) -> str:
    """The path prefix the application is served under ('' at the root of the host)."""
    prefix: str = request.scope.get("root_path", "")
    return prefix


def query_link(prefix: str, query: str, *, title: str | None = None) -> str:
    """The address of the query UI opened on ``query`` (in a tab named ``title``).

    The same address answers a client that asks for results, not a page, with the results.

    >>> query_link("/adkg", "ASK {}", title="t")
    '/adkg/sparql?query=ASK+%7B%7D&tabTitle=t'
    """
    parameters = {"query": query} | ({"tabTitle": title} if title else {})
    return f"{prefix}/sparql?{urlencode(parameters)}"


def _page_context(request: Request) -> dict[str, str]:
    return {"root": root(request)}


templates: Final = Jinja2Templates(directory=Path(__file__).parent / "templates", context_processors=[_page_context])
templates.env.globals["query_link"] = query_link
