"""vaultnet: keep a professional network warm from a plain-text markdown vault.

Use it as a library::

    from vaultnet import load_config, build_vault
    result = build_vault(load_config("~/Notes"), datetime.date.today())
"""

__version__ = "0.1.0"

from .build import BuildResult, build_vault, read_notes
from .config import Config, load_config
from .errors import VaultnetError
from .network import Network, build_network
from .notes import parse_note

__all__ = [
    "BuildResult",
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
