"""The vaultnet program and its click commands, a thin adapter over the layers below."""
