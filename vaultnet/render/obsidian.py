"""The files Obsidian opens as views of its own: ``People.base`` and
``Introductions.canvas``, made on every build beside the markdown pages."""

from __future__ import annotations

from vaultnet.config import Config
from vaultnet.model.network import Network
from vaultnet.render.bases import BASE_PAGE, people_base
from vaultnet.render.canvas import (
    CANVAS_PAGE,
    canvas_text,
    introductions_canvas,
    same_canvas,
)
from vaultnet.render.page import Page


def obsidian_pages(network: Network) -> list[Page]:
    """``People.base`` and ``Introductions.canvas`` for ``network``."""
    config = network.config
    canvas = introductions_canvas(network, config.canvas_max_nodes)
    return [Page(BASE_PAGE, people_base(config)), Page(CANVAS_PAGE, canvas_text(canvas))]


class ObsidianPages:
    """The two files as a builder makes them again and again (a watcher): each is made
    anew only when what it shows changed, else the very text of the last build is given
    back (the writer then knows it as unchanged without reading the file).

    Laying out the canvas of a large vault takes a good part of a rebuild; finding that what
    it shows (names, notes, tiers, met dates, introducers) is as it was is a comparison of
    people, which compare by digest. An edit to a log, the common case,
    changes nothing the canvas shows.
    """

    def __init__(self) -> None:
        self.base: tuple[Config, Page] | None = None
        self.canvas: tuple[Network, Page] | None = None

    def pages(self, network: Network) -> list[Page]:
        config = network.config
        if self.base is None or self.base[0] != config:
            self.base = (config, Page(BASE_PAGE, people_base(config)))
        if self.canvas is None or not same_canvas(self.canvas[0], network):
            canvas = introductions_canvas(network, config.canvas_max_nodes)
            self.canvas = (network, Page(CANVAS_PAGE, canvas_text(canvas)))
        else:
            # Compared with this network next time: one patched from it is compared by
            # the people replaced alone.
            self.canvas = (network, self.canvas[1])
        return [self.base[1], self.canvas[1]]
