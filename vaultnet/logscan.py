"""The log entries and limits the insight pages share, found in one pass over every log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .links import WIKILINK, parse_link
from .network import Interaction, Network, Person

MAX_ROWS = 200  # rows of any one table
MAX_CHAINS = 50
MAX_CHAIN_NODES = 8  # longer chains show their start and end around an ellipsis
MAX_CONNECTORS = 25
GRAPH_NODES = 60  # Mermaid stays legible up to a few dozen boxes
GRAPH_CHILDREN = 8  # children drawn under one node before a "+N more" box
THIN_TIER = 3  # a tier with fewer active members is "thin"
ONE_SIDED_MIN = 2  # tagged entries needed before a relationship counts as one-sided
THANKS_DIGEST_DAYS = 90  # the digest lists thank-yous owed for help this recent
ARROW = re.compile(r"\s*(?:→|->|=>|⟶|➔)\s*")


def ladder_order(person: Person) -> tuple[bool, int, str, str]:
    return (person.archived, person.tier.rank, person.sort_name, person.path)


@dataclass(frozen=True, slots=True)
class LogScan:
    """The log entries insights read, found in one pass over every log (oldest first)."""

    tagged: dict[str, list[Interaction]]  # person key -> entries with any #tag
    tier: dict[str, list[Interaction]]  # person key -> ``tier:`` entries
    moved: dict[str, list[Interaction]]  # person key -> ``moved:`` entries
    intros: list[tuple[Person, Interaction]]  # entries tagged #intro, in ladder order


def scan_logs(network: Network) -> LogScan:
    """One pass over every log entry (the vault's largest collection) for all insights."""
    tagged: dict[str, list[Interaction]] = {}
    tier: dict[str, list[Interaction]] = {}
    moved: dict[str, list[Interaction]] = {}
    intros: list[tuple[Person, Interaction]] = []
    for person in network.people:
        key = person.key
        for entry in person.interactions:
            if entry.tags:  # mentions carry no tags
                tagged.setdefault(key, []).append(entry)
                if "intro" in entry.tags:
                    intros.append((person, entry))
            kind = entry.kind
            # Cheap tests first: they rule out nearly every entry before any casefold.
            if kind is None or not 4 <= len(kind) <= 5 or kind[0] not in "tTmM" or entry.mention:
                continue
            folded = kind.casefold()
            if folded == "tier":
                tier.setdefault(key, []).append(entry)
            elif folded == "moved":
                moved.setdefault(key, []).append(entry)
    return LogScan(tagged, tier, moved, intros)


def brief(text: str, limit: int = 100) -> str:
    """Text for a table: links reduced to what they show, cut at ``limit`` characters."""
    text = WIKILINK.sub(lambda m: parse_link(m[2]).text, text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
