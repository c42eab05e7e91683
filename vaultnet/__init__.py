"""vaultnet: keep a professional network warm from a plain-text markdown vault.

Use it as a library::

    from vaultnet import load_config, build_vault
    result = build_vault(load_config("~/Notes"), datetime.date.today())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import VERSION

__version__ = VERSION

# Imported on first use: a command that finds nothing changed should not pay for them.
_EXPORTS = {
    "BuildResult": "build",
    "Builder": "build",
    "build_vault": "build",
    "read_notes": "build",
    "Config": "config",
    "load_config": "config",
    "VaultnetError": "errors",
    "Network": "network",
    "build_network": "network",
    "parse_note": "notes",
}

__all__ = [
    "BuildResult",
    "Builder",
    "Config",
    "Network",
    "VaultnetError",
    "__version__",
    "build_network",
    "build_vault",
    "load_config",
    "parse_note",
    "read_notes",
]

if TYPE_CHECKING:
    from .build import Builder, BuildResult, build_vault, read_notes
    from .config import Config, load_config
    from .errors import VaultnetError
    from .network import Network, build_network
    from .notes import parse_note


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vaultnet' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
