"""adkg's settings: environment variables ``ADKG_*``, read once into one ``Settings``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from adkg.errors import LayoutError


class Settings(BaseSettings):
    """Where the project is and how adkg runs over it.

    >>> Settings(project_root=Path("/srv/adkg")).checks_folder
    PosixPath('/srv/adkg/queries/checks')
    """

    model_config = SettingsConfigDict(env_prefix="ADKG_", frozen=True)

    #: The project checkout: the folder holding ontology/, graph/, shapes/, seeds/ and queries/.
    project_root: Path = Path(".")
    #: Where builds put their stores and reports; relative paths are below the project root.
    data_dir: Path = Path(".adkg")

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
    def rules_folder(self) -> Path:
        """The derivation rules, ``queries/rules``."""
        return self.project_root / "queries" / "rules"

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
