"""Tests of vaultnet.render, laid out like the package."""
