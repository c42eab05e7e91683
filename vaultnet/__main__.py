"""``python -m vaultnet``."""

from vaultnet.cli.program import run

run()
