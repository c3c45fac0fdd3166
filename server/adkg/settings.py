"""adkg's settings: environment variables ``ADKG_*``, read once into one ``Settings``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adkg.errors import LayoutError
from adkg.sparql_scan import SparqlScan


class Settings(BaseSettings):
    """Where the project is and how adkg runs over it.

    >>> Settings(project_root=Path("/srv/adkg")).checks_folder
    PosixPath('/srv/adkg/queries/checks')
    >>> sorted(Settings(service_allowlist="https://a.org/sparql, https://b.org/sparql").service_allowlist)
    ['https://a.org/sparql', 'https://b.org/sparql']
    """

    model_config = SettingsConfigDict(env_prefix="ADKG_", frozen=True)

    #: The project checkout: the folder holding ontology/, graph/, shapes/, seeds/ and queries/.
    project_root: Path = Path(".")
    #: Where builds put their stores and reports; relative paths are below the project root.
    data_dir: Path = Path(".adkg")
    #: The folder of the query UI's npm package (``package.json``, ``node_modules``); by default
    #: ``server/ui`` of the checkout adkg runs from.
    ui_dir: Path | None = None
    #: The address ``adkg serve`` listens on (loopback unless asked otherwise).
    host: str = "127.0.0.1"
    #: The port ``adkg serve`` listens on.
    port: int = Field(default=8000, ge=0, le=65535)
    #: The path under which users reach the server when a reverse proxy serves it below a path of
    #: its host (``/adkg`` for ``https://example.org/adkg/sparql``; the proxy strips it before
    #: passing requests on): pages link to each other under it, and ``adkgr:NAME`` is looked up at
    #: ``ROOT_PATH/id/NAME``. Empty at the root of the host.
    root_path: str = Field(default="", pattern=r"^(/[A-Za-z0-9._~-]+)*$")
    #: Seconds a query may run (in the server and in ``adkg query``) before it is stopped.
    query_timeout: float = Field(default=30.0, gt=0)
    #: Seconds a query or update that calls SERVICE may run (pyoxigraph sets no time limit per
    #: SERVICE call, so this bounds the whole query); the lower of the two limits applies.
    service_timeout: float = Field(default=10.0, gt=0)
    #: How many queries may run at once, each in a worker process of its own.
    workers: int = Field(default=8, ge=1)
    #: The SERVICE endpoints queries may call, as exact IRIs separated by spaces or commas.
    service_allowlist: Annotated[frozenset[str], NoDecode] = frozenset()
    #: When set, SPARQL Update is accepted with ``Authorization: Bearer <token>``; else refused.
    update_token: SecretStr | None = None
    #: The longest query or update text accepted, in bytes of UTF-8.
    max_query_bytes: int = Field(default=1_000_000, ge=1)
    #: The largest serialized result served, in bytes.
    max_result_bytes: int = Field(default=1_000_000_000, ge=1)
    #: The bytes of results (and their query texts) the server keeps to answer repeated queries;
    #: 0 keeps none.
    result_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    #: The largest result kept for repeated queries, in bytes; larger ones are answered, not kept.
    result_cache_entry_bytes: int = Field(default=4 * 1024 * 1024, ge=0)

    def time_limit(self, scan: SparqlScan) -> float:
        """Return the seconds the query or update ``scan`` was made of may run.

        >>> from adkg.sparql_scan import scan_sparql
        >>> settings = Settings(query_timeout=30, service_timeout=5)
        >>> settings.time_limit(scan_sparql("ASK {}"))
        30.0
        >>> settings.time_limit(scan_sparql("ASK { SERVICE <http://a.org/s> {} }"))
        5.0
        """
        return min(self.query_timeout, self.service_timeout) if scan.services else self.query_timeout

    @field_validator("service_allowlist", mode="before")
    @classmethod
    def _split_allowlist(cls, value: object) -> object:
        """Read ``ADKG_SERVICE_ALLOWLIST="https://a/sparql https://b/sparql"`` as two IRIs."""
        return frozenset(re.split(r"[\s,]+", value.strip())) - {""} if isinstance(value, str) else value

    def require(self, *folders: Path) -> None:
        """Check that each of ``folders`` exists.

        Raises:
            LayoutError: one does not; the message names it and the project root.
        """
        for folder in folders:
            if not folder.is_dir():
                raise LayoutError(
                    f"{folder} does not exist: is {self.project_root} (ADKG_PROJECT_ROOT) "
                    "an adkg project checkout?"
                )

    @property
    def ontology_folder(self) -> Path:
        """The OWL ontology and its concept schemes, ``ontology/``."""
        return self.project_root / "ontology"

    @property
    def graph_folder(self) -> Path:
        """The curated instance data, ``graph/``."""
        return self.project_root / "graph"

    @property
    def shapes_folder(self) -> Path:
        """The SHACL shapes, ``shapes/``."""
        return self.project_root / "shapes"

    @property
    def seeds_folder(self) -> Path:
        """The source documents, ``seeds/``."""
        return self.project_root / "seeds"

    @property
    def data_folder(self) -> Path:
        """The folder of built stores (``stores/``), the current store link and build report."""
        return self.data_dir if self.data_dir.is_absolute() else self.project_root / self.data_dir

    @property
    def ui_folder(self) -> Path:
        """The query UI's npm package: ``ADKG_UI_DIR``, else ``server/ui`` beside this package."""
        return self.ui_dir if self.ui_dir is not None else Path(__file__).resolve().parent.parent / "ui"

    @property
    def rules_folder(self) -> Path:
        """The derivation rules, ``queries/rules``."""
        return self.project_root / "queries" / "rules"

    @property
    def checks_folder(self) -> Path:
        """The folder of the lint checks, ``queries/checks``."""
        return self.project_root / "queries" / "checks"

    @property
    def examples_folder(self) -> Path:
        """The example queries and their expected results, ``queries/examples``."""
        return self.project_root / "queries" / "examples"

    @property
    def pages_folder(self) -> Path:
        """The queries behind the server's pages, ``queries/pages``."""
        return self.project_root / "queries" / "pages"

    @property
    def views_folder(self) -> Path:
        """The queries behind the views of figures (``/estimates``), ``queries/views``."""
        return self.project_root / "queries" / "views"

    @property
    def reports_folder(self) -> Path:
        """The folder of the report queries, ``queries/reports``."""
        return self.project_root / "queries" / "reports"


@cache
def get_settings() -> Settings:
    """Return the settings read from the environment (once per process)."""
    return Settings()
