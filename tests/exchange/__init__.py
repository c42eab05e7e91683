"""Tests of vaultnet.exchange, laid out like the package."""
