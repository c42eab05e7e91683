"""``python -m vaultnet``."""

from .cli import main

main()
