"""Tests of vaultnet.model, laid out like the package."""
