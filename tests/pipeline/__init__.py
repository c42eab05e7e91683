"""Tests of vaultnet.pipeline, laid out like the package."""
