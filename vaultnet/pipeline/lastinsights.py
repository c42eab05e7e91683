"""The last build's insights, between the saved state and the renderer: a one-shot build
after a few edits takes the insights the last build saved and brings them up to date, as
a watcher does in memory, rather than computing them again (state/insightstore.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaultnet.config import Config
    from vaultnet.model.network import Network
    from vaultnet.render.render import Renderer
    from vaultnet.state.insightstore import InsightStore


def resume(renderer: Renderer, store: InsightStore, network: Network, config: Config) -> None:
    """Have ``renderer`` bring up to date the insights ``store`` saved, when ``network`` is
    patched from the last network made again of the people as saved and the renderer has
    none of its own."""
    state = renderer.insight_state
    patch = network.patch
    base = patch.base() if patch is not None else None
    if base is None or state.computed() is not None:
        return
    from vaultnet.model.network import config_key

    loaded = store.load(base, network.note_names, config_key(config))
    if loaded is not None:
        insights, scan, briefs = loaded
        state.resume(base, insights, scan)
        if briefs is not None:
            renderer.briefs.resume(base, *briefs)


def save(renderer: Renderer, store: InsightStore, config: Config) -> None:
    """Save the last insights ``renderer`` computed, for the next build to bring up to
    date, with whom the briefs are for when they were found for the same network."""
    computed = renderer.insight_state.computed()
    if computed is None:
        return
    from vaultnet.model.network import config_key

    found = renderer.briefs.found()
    briefs = found[1:] if found is not None and found[0] is computed[0] else None
    store.save(*computed, config_key(config), briefs)
