"""Tests of vaultnet.source, laid out like the package."""
