"""Tests of vaultnet.edit, laid out like the package."""
