"""``python -m vaultnet``."""

from .cli import run

run()
