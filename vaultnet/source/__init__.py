"""Finding and reading notes: the vault walk, front matter, links (IO in, then pure)."""
