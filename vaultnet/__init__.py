"""vaultnet: keep a professional network warm from a plain-text markdown vault.

Use it as a library::

    from vaultnet import load_config, build_vault
    result = build_vault(load_config("~/Notes"), datetime.date.today())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaultnet.version import VERSION

__version__ = VERSION

# Imported on first use: a command that finds nothing changed should not pay for them.
_EXPORTS = {
    "BuildRequest": "pipeline.build",
    "BuildResult": "pipeline.build",
    "Mode": "pipeline.build",
    "Builder": "pipeline.build",
    "build_vault": "pipeline.build",
    "read_notes": "pipeline.build",
    "Config": "config",
    "load_config": "config",
    "VaultnetError": "errors",
    "Network": "model.network",
    "build_network": "model.network",
    "parse_note": "source.notes",
}

__all__ = [
    "BuildRequest",
    "BuildResult",
    "Builder",
    "Config",
    "Mode",
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
    from vaultnet.config import Config, load_config
    from vaultnet.errors import VaultnetError
    from vaultnet.model.network import Network, build_network
    from vaultnet.pipeline.build import (
        Builder,
        BuildRequest,
        BuildResult,
        Mode,
        build_vault,
        read_notes,
    )
    from vaultnet.source.notes import parse_note


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vaultnet' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
