"""``python -m vaultnet``."""

from .program import run

run()
