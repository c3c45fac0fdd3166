"""Run the command-line interface as ``python -m adkg``."""

from adkg.cli import app

app()
