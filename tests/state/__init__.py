"""Tests of vaultnet.state, laid out like the package."""
