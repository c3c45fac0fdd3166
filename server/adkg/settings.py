"""adkg's settings: environment variables ``ADKG_*``, read once into one ``Settings``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the project is and how adkg runs over it.

    >>> Settings(project_root=Path("/srv/adkg")).checks_folder
    PosixPath('/srv/adkg/queries/checks')
    """

    model_config = SettingsConfigDict(env_prefix="ADKG_", frozen=True)

    #: The project checkout: the folder holding ontology/, graph/, shapes/, seeds/ and queries/.
    project_root: Path = Path(".")

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
    def checks_folder(self) -> Path:
        """The folder of the lint checks, ``queries/checks``."""
        return self.project_root / "queries" / "checks"

    @property
    def reports_folder(self) -> Path:
        """The folder of the report queries, ``queries/reports``."""
        return self.project_root / "queries" / "reports"


@cache
def get_settings() -> Settings:
    """Return the settings read from the environment (once per process)."""
    return Settings()
