"""Tests of vaultnet.insights, laid out like the package."""
