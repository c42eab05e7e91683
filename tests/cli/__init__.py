"""Tests of vaultnet.cli, laid out like the package."""
