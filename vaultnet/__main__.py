"""``python -m vaultnet``."""

from vaultnet.cli.main import run

run()
