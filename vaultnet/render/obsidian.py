"""The files Obsidian opens as views of its own: ``People.base`` and
``Introductions.canvas``, made on every build beside the markdown pages."""

from __future__ import annotations

from vaultnet.config import Config
from vaultnet.model.network import Network, config_key
from vaultnet.model.person import content_key
from vaultnet.render.bases import BASE_PAGE, people_base
from vaultnet.render.canvas import (
    CANVAS_PAGE,
    canvas_text,
    introductions_canvas,
    same_canvas,
    shown_of,
)
from vaultnet.render.page import Page
from vaultnet.state.pagestore import PageStore
from vaultnet.version import VERSION


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

    A builder's first canvas has no last network to compare with: with ``saved`` (a
    one-shot build's), it is read from the file the last build wrote when a key of what
    it shows is the one saved then (pagestore.py).
    """

    def __init__(self, saved: PageStore | None = None) -> None:
        self.base: tuple[Config, Page] | None = None
        self.canvas: tuple[Network, Page] | None = None
        self.saved = saved

    def pages(self, network: Network) -> list[Page]:
        config = network.config
        if self.base is None or self.base[0] != config:
            self.base = (config, self._saved_base(config) or Page(BASE_PAGE, people_base(config)))
        elif self.saved is not None:
            self.saved.made[BASE_PAGE] = base_key(config)  # saved again with its file
        if self.canvas is None or not same_canvas(self.canvas[0], network):
            page = self._saved_canvas(network)
            if page is None:
                text = canvas_text(introductions_canvas(network, config.canvas_max_nodes))
                page = Page(CANVAS_PAGE, text)
            self.canvas = (network, page)
        else:
            # Compared with this network next time: one patched from it is compared by
            # the people replaced alone.
            self.canvas = (network, self.canvas[1])
        return [self.base[1], self.canvas[1]]

    def _saved_base(self, config: Config) -> Page | None:
        """The base the last build wrote, when it was made for the same configuration:
        made again, its YAML costs a few milliseconds of every build."""
        if self.saved is None:
            return None
        self.saved.load()
        output = config.output_path
        if self.saved.reuse(output, BASE_PAGE, base_key(config)) is None:
            return None
        make = self.saved.kept_text(output, BASE_PAGE, lambda: people_base(config))
        return Page.later(BASE_PAGE, make)

    def _saved_canvas(self, network: Network) -> Page | None:
        """The canvas the last build wrote, when it shows what this network's would."""
        if self.saved is None:
            return None
        self.saved.load()
        key = canvas_key(network, self.saved)
        output = network.config.output_path
        if self.saved.reuse(output, CANVAS_PAGE, key) is None:
            return None
        limit = network.config.canvas_max_nodes
        make = self.saved.kept_text(
            output, CANVAS_PAGE, lambda: canvas_text(introductions_canvas(network, limit))
        )
        return Page.later(CANVAS_PAGE, make)


def base_key(config: Config) -> str:
    """A key of what ``People.base`` is made of: the configuration alone."""
    return content_key(VERSION, BASE_PAGE, config_key(config))


def canvas_key(network: Network, saved: PageStore) -> str:
    """A key of what the canvas of ``network`` shows: the settings it is drawn with, and
    what it shows of each person, in order.

    What it shows of a person is kept by the person's digest (``saved.shown``), so that a
    build after a few edits keys only the people made again. It is a digest of its repr:
    strings, a date, a tier, references and a flag, plain values whose repr says all
    they hold (a cold build, or the first of a day, keys all 10,000 people of a 10k
    vault: 60-90 ms so, 100-150 ms walked field by field as a value's key, valuekey.py)."""
    config = network.config
    known, now = saved.shown, saved.shown_now
    parts = [VERSION, repr(config.tiers), str(config.canvas_max_nodes)]
    for person in network.people:
        digest = person.digest
        key = known.get(digest) or content_key(repr(shown_of(person)))
        now[digest] = key
        parts.append(key)
    return content_key(*parts)
