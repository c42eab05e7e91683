"""The files Obsidian opens as views of its own: ``People.base`` and
``Introductions.canvas``, made on every build beside the markdown pages."""

from __future__ import annotations

from .bases import BASE_PAGE, people_base
from .canvas import CANVAS_PAGE, canvas_text, introductions_canvas
from .network import Network
from .output import Page


def obsidian_pages(network: Network) -> list[Page]:
    """``People.base`` and ``Introductions.canvas`` for ``network``."""
    config = network.config
    canvas = introductions_canvas(network, config.canvas_max_nodes)
    return [Page(BASE_PAGE, people_base(config)), Page(CANVAS_PAGE, canvas_text(canvas))]
