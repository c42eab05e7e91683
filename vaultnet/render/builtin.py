"""Where the built-in templates are, and the person template's name.

Apart from environment.py, so that ``vaultnet init``, which copies the person template,
imports neither Jinja nor the insights the pages show: ``vaultnet.pipeline.init`` took
61 ms to import with them, 4.5 ms without (``python -X importtime -m vaultnet init
--help``, medians of 5).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PERSON_TEMPLATE = "person.md.j2"


def builtin_templates_dir() -> Path:
    """The folder of built-in templates (inside the installed package, or the source tree)."""
    source = Path(__file__).resolve().parents[2] / "templates"
    if (source / "index.md.j2").is_file():
        return source
    # "vaultnet.templates" has no __init__.py: files() on it gives a MultiplexedPath, whose
    # str() is not a path. The regular package's folder is a real one.
    return Path(str(resources.files("vaultnet") / "templates"))
