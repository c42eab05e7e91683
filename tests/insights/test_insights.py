"""Insights: introductions, companies, the ladder, reciprocity, routes and their pages.

Unit tests build small networks from note texts; golden tests render the insight pages
of sample-vault (refresh with ``VAULTNET_UPDATE_GOLDEN=1 pytest tests/insights/test_insights.py``);
CLI tests run ``vaultnet path`` through CliRunner.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import textwrap
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import TODAY
from vaultnet.cli.main import main
from vaultnet.config import Config, load_config
from vaultnet.insights.companies import PAGE_MIN_PEOPLE, _unique, build_companies
from vaultnet.insights.insights import compute_insights, digest_extras
from vaultnet.insights.introductions import build_introductions, introductions_made
from vaultnet.insights.ladder import NextStep, build_ladder, next_step
from vaultnet.insights.logscan import (
    GRAPH_NODES,
    MAX_CHAIN_NODES,
    MAX_CHAINS,
    ONE_SIDED_MIN,
    THANKS_DIGEST_DAYS,
)
from vaultnet.insights.reciprocity import build_reciprocity
from vaultnet.insights.routes import NoMatch, find_routes, routes_json, routes_text
from vaultnet.model.network import Network, build_network
from vaultnet.pipeline.build import Builder, BuildRequest, Mode
from vaultnet.render.digest import digest_json
from vaultnet.render.render import render_pages
from vaultnet.source.companynames import company_key
from vaultnet.source.notes import Note, parse_note

GOLDEN = Path(__file__).resolve().parents[1] / "golden_insights"
UPDATE = os.environ.get("VAULTNET_UPDATE_GOLDEN") == "1"


def person(name: str, front: str = "", log: str = "", tier: str = "supporter") -> tuple[str, str]:
    """A person note at ``People/<name>.md``: front matter lines, then a ## Log."""
    text = f"---\ntier: {tier}\n{textwrap.dedent(front).strip()}\n---\n"
    if log:
        text += "\n## Log\n" + textwrap.dedent(log).strip() + "\n"
    return f"People/{name}.md", text


def network_of(*notes: tuple[str, str], today: dt.date = TODAY) -> Network:
    parsed = []
    for path, text in notes:
        note = parse_note(path, text.encode("utf-8"))
        assert isinstance(note, Note), note
        parsed.append(note)
    network, _ = build_network(Config(vault=Path("/nowhere")), parsed, today)
    return network


def names(people: object) -> list[str]:
    return [p.name for p in people]  # type: ignore[attr-defined]


# --- Company names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "Acme Corp",
        "[[Acme Corp]]",
        "[[Companies/Acme Corp|ACME]]",
        "Acme Corp.",
        "acme corp",
        "ACME-Corp",
        "Acme  Corp",
        "Acme Corp, Inc.",
        "Acme Corp Ltd",
        "Acme Corp GmbH",
        "Acmé Corp",
        unicodedata.normalize("NFD", "Acmé Corp"),
        "Ａｃｍｅ Corp",  # full-width letters
    ],
)
def test_spellings_of_one_company_share_a_key(spelling: str) -> None:
    assert company_key(spelling) == "acmecorp"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme", "Acme Corp"),  # "Corp" is part of the name, not a legal form
        ("Acme Corp", "Acme Corporation"),
        ("Acme Robotics", "Acme Analytics"),
    ],
)
def test_different_companies_keep_different_keys(first: str, second: str) -> None:
    assert company_key(first) != company_key(second)


def test_company_key_edge_cases() -> None:
    assert company_key("Quill & Co") == company_key("Quill and Co")
    assert company_key("Limited") == "limited"  # a legal form alone is the name
    assert company_key("Pty Ltd") == "pty"
    assert company_key("Brightwater Energy AS") == company_key("Brightwater Energy")
    assert company_key("🚀") == "🚀"  # no letters: the folded text, never empty


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="[]|#^/\\", blacklist_categories=["Cs"]),
        min_size=1,
        max_size=30,
    ).filter(lambda s: any(c.isalnum() for c in s) and not s.strip().lower().endswith(".md"))
)
def test_case_a_link_and_trailing_punctuation_never_change_the_key(name: str) -> None:
    key = company_key(name)
    assert key
    assert company_key(name.upper()) == company_key(name.lower())
    assert company_key(f"[[{name.strip()}]]") == key
    assert company_key(name + ".") == key


def test_page_names_are_unique_ignoring_case_and_unicode_form() -> None:
    taken: set[str] = set()
    assert _unique("Café", taken) == "Café"
    assert _unique(unicodedata.normalize("NFD", "CAFÉ"), taken).endswith(" (2)")
    assert _unique("cafe", taken) == "cafe"


def test_companies_whose_file_names_collide_get_distinct_pages() -> None:
    long = "Northwind " * 14  # beyond the file-name limit, so only the end differs
    network = network_of(
        person("A", f"company: {long}Alpha"),
        person("B", f"company: {long}Alpha"),
        person("C", f"company: {long}Beta"),
        person("D", f"company: {long}Beta"),
    )
    pages = [c.ref.page for c in build_companies(network).with_pages]
    assert len(pages) == 2
    assert len({p.casefold() for p in pages if p}) == 2


# --- Companies, alumni, moves -------------------------------------------------------------


def _acme_network() -> Network:
    return network_of(
        person(
            "Bob",
            """
            company: "[[Initech]]"
            role: Platform EM
            history:
              - {company: "[[Acme Corp]]", role: EM Perception, from: 2019-01-07, to: 2026-09-11}
            """,
            tier="advocate",
        ),
        person("Mei", 'company: "Acme Corp, Inc."\nrole: Director', tier="champion"),
        person("Sam", "company: acme corp\nrole: Staff Engineer", log="- 2026-10-01 call: hi"),
        person(
            "Kat",
            """
            company: Acme Corp
            role: Platform Lead
            history:
              - {company: Acme Corp, role: SRE Lead, from: 2020-01-01, to: 2026-10-31}
            """,
        ),
        person(
            "Ken",
            """
            company: Tessera
            history:
              - {company: Tessera, role: SRE, from: 2026-07-06}
              - {company: Mercari, from: 2018-01-01, to: 2023-03-31}
            """,
        ),
        person(
            "Old",
            "history:\n  - {company: Acme Corp, from: 2010-01-01, to: 2012-01-01}",
            tier="acquaintance",
        ),
        person("Fay", "company: Tessera", log="- 2026-10-20 moved: joined the platform team"),
        person("Gone", "history:\n  - {company: Initech, to: 2026-10-01}"),
    )


def test_people_now_and_alumni_by_company() -> None:
    index = build_companies(_acme_network())
    acme = index.get("[[Acme Corp]]")
    assert acme is not None and acme.name == "Acme Corp"
    assert names(s.person for s in acme.current) == ["Mei", "Kat", "Sam"]  # ladder order
    assert names(s.person for s in acme.alumni) == ["Bob", "Old"]
    assert acme.strongest is not None and acme.strongest.person.name == "Mei"
    assert set(acme.spellings) == {"Acme Corp", "Acme Corp, Inc.", "acme corp"}
    bob = acme.alumni[0]
    assert bob.now_at is not None and bob.now_at.name == "Initech"
    assert index.get("Mercari") is not None and index.get("Mercari").ref.page is None  # type: ignore[union-attr]
    assert [c.name for c in index.with_pages] == ["Acme Corp", "Initech", "Tessera"]
    assert all(c.people >= PAGE_MIN_PEOPLE for c in index.with_pages)


def test_recent_moves_from_history_and_the_log() -> None:
    index = build_companies(_acme_network())
    moves = {m.person.name: m for m in index.moves}
    assert set(moves) == {"Bob", "Kat", "Ken", "Fay", "Gone"}  # Old left too long ago
    assert moves["Bob"].summary == "left Acme Corp for Initech as Platform EM"
    assert moves["Bob"].date == dt.date(2026, 9, 11)
    assert moves["Kat"].summary == "moved from SRE Lead to Platform Lead at Acme Corp"
    assert moves["Ken"].summary == "left Mercari for Tessera"
    assert moves["Ken"].date == dt.date(2026, 7, 6)
    assert moves["Fay"].kind == "logged" and moves["Fay"].companies == ("tessera",)
    assert moves["Gone"].summary == "left Initech"
    assert [m.date for m in index.moves] == sorted((m.date for m in index.moves), reverse=True)
    acme = index.get("Acme Corp")
    assert acme is not None
    assert {m.person.name for m in acme.moves} == {"Bob", "Kat"}
    assert "[[" in moves["Bob"].summary_md  # companies with pages are linked


# --- Introductions --------------------------------------------------------------------------


def test_chains_and_connectors() -> None:
    network = network_of(
        person("Ann", tier="champion"),
        person("Bob", 'introduced_by: "[[Ann]]"'),
        person("Zoe", 'introduced_by: "[[Ann]]"'),
        person("Olu", 'introduced_by: "[[Zoe]]"'),
        person("Emma", 'introduced_by: ["[[Zoe]]", "[[Bob]]"]'),
        person("Grace", 'introduced_by: "[[Bob]]"'),
        person("Pat", "introduced_by: a stranger at KubeCon"),
        person("Self", 'introduced_by: "[[Self]]"'),
    )
    intro = build_introductions(network)
    chains = [[n.name for n in c.nodes] for c in intro.chains]
    assert chains[:3] == [["Ann", "Bob", "Grace"], ["Ann", "Zoe", "Emma"], ["Ann", "Zoe", "Olu"]]
    assert ["a stranger at KubeCon", "Pat"] in chains
    assert intro.introduced == 6  # Self does not count
    ranked = [(c.node.name, len(c.direct), c.through) for c in intro.connectors]
    assert ranked[0] == ("Ann", 2, 3)
    assert ("Zoe", 2, 0) in ranked and ("Bob", 2, 0) in ranked  # Emma names both
    assert intro.cycles == ()


def test_cycles_in_introduced_by_terminate_and_are_reported() -> None:
    network = network_of(
        person("A", 'introduced_by: "[[B]]"', tier="champion"),
        person("B", 'introduced_by: "[[C]]"'),
        person("C", 'introduced_by: "[[A]]"'),
        person("D", 'introduced_by: "[[C]]"'),
    )
    intro = build_introductions(network)
    assert [[n.name for n in cycle] for cycle in intro.cycles] == [["A", "C", "B"]]
    chain = intro.chains[0]
    assert chain.cycle and chain.nodes[0].name == "A"
    assert intro.connectors[0].total == 3  # everyone but A, reached from the cut at A


def test_a_long_chain_and_a_wide_fan_stay_bounded() -> None:
    config = Config(vault=Path("/nowhere"))
    notes = [Note(path="P/0.md", stem="0", person=True, tier="champion")]
    for i in range(1, 3000):  # one line of introductions, 3000 long
        notes.append(
            Note(path=f"P/{i}.md", stem=str(i), person=True, introduced_by=(f"[[{i - 1}]]",))
        )
    for i in range(3000, 6000):  # and 1500 separate pairs
        up = i if i % 2 == 0 else i - 1
        refs = () if i % 2 == 0 else (f"[[{up}]]",)
        notes.append(Note(path=f"P/{i}.md", stem=str(i), person=True, introduced_by=refs))
    network, _ = build_network(config, notes, TODAY)
    started = time.perf_counter()
    intro = build_introductions(network)
    assert time.perf_counter() - started < 10  # quadratic would take minutes
    longest = intro.chains[0]
    assert longest.length == 3000 and len(longest.nodes) == MAX_CHAIN_NODES
    assert longest.skipped == 3000 - MAX_CHAIN_NODES
    assert len(intro.chains) == MAX_CHAINS and intro.chains_total == 1501
    graph = intro.graph
    boxes = [n for n in graph.nodes[1:] if not n.more]
    assert len(boxes) <= GRAPH_NODES
    assert graph.people == 6000 and graph.shown == len(boxes)
    assert graph.shown + graph.under_more + graph.people_left_out == graph.people
    assert graph.groups_left_out > 1000


def test_introductions_you_made() -> None:
    network = network_of(
        person("Ines", log="- 2026-10-20 intro: introduced her to [[Grace]] #intro #gave"),
        person("Grace", log="- 2026-10-20 intro: introduced [[Ines]] to [[Grace]] #intro #gave"),
        person("Chloe", log="- 2026-02-03 lunch: she introduced me to [[Freya]] #got #intro"),
        person("Freya"),
        person("Priya", log="- 2026-05-20 coffee: put her in touch with [[Kenji]] #intro"),
        person("Kenji"),
        person("Lone", log="- 2026-05-01 call: an intro to nobody in particular #intro"),
    )
    made = introductions_made(network)
    assert [(m.first.name, m.second.name) for m in made] == [("Ines", "Grace"), ("Priya", "Kenji")]


# --- Reciprocity ----------------------------------------------------------------------------


def test_thanks_owed_open_asks_and_one_sided() -> None:
    network = network_of(
        person("Owed", log="- 2026-11-20 call: shared comp data #got\n- 2026-10-01 coffee: hi"),
        person("Thanked", log="- 2026-11-21 call: said thanks\n- 2026-11-20 call: an intro #got"),
        person("Mutual", log="- 2026-11-20 call: swapped notebooks #gave #got"),
        person(
            "Asked",
            log="""
            - 2026-11-01 message: asked for a reference #ask
            - 2026-06-01 email: asked for the deck #ask
            - 2026-06-03 email: got the deck #got
            - 2026-05-01 call: asked for a same-day favour #ask #got
            """,
        ),
        person(
            "SameDay",
            log="""
            - 2026-11-02 call: thanks for the intro #got
            - 2026-11-02 message: asked for an intro #ask
            """,
        ),
        person("Taker", log="- 2026-01-01 call: help #got\n- 2026-02-01 call: more help #got"),
        person("Giver", log="- 2026-01-01 call: helped #gave\n- 2026-02-01 call: again #gave"),
        person("Archived", "status: archived", log="- 2026-11-20 call: help #got"),
    )
    recip = build_reciprocity(network)
    assert names(o.person for o in recip.thanks_owed) == ["Owed", "SameDay", "Taker"]
    assert [o.exchange.text for o in recip.open_asks] == ["asked for a reference"]
    assert names(b.person for b in recip.taking) == ["Asked", "Taker"]
    assert names(b.person for b in recip.giving) == ["Giver"]
    assert all(len(b.got) >= ONE_SIDED_MIN for b in recip.taking)
    assert "Archived" not in names(b.person for b in recip.balances)


# --- The ladder -----------------------------------------------------------------------------


def test_tier_changes_health_and_next_steps() -> None:
    network = network_of(
        person(
            "Zoe",
            "target_tier: champion",
            tier="advocate",
            log="""
            - 2026-11-01 call: set up an intro #got
            - 2025-12-15 tier: supporter → advocate
            """,
        ),
        person(
            "Amara",
            tier="advocate",
            log="- 2026-06-20 tier: Supporters -> Advocates (after the meetup)",
        ),
        person("Chloe", log="- 2026-08-01 tier: advocate → supporter\n- 2026-11-20 coffee: hi"),
        person("Odd", log="- 2026-03-01 tier: friend → enemy"),
        person("Emma", 'target_tier: supporter\nintroduced_by: "[[Zoe]]"', tier="acquaintance"),
        person("Leah", "target_tier: advocate", log="- 2026-04-09 drinks: asked for a review #ask"),
        person(
            "Nick",
            "target_tier: advocate",
            log="- 2026-10-01 coffee: caught up\n- 2027-01-05 lunch: planned",
        ),
        person("Ruth", tier="champion", log="- 2025-01-01 coffee: long ago"),
    )
    ladder = build_ladder(network)
    changes = [(c.person.name, c.old, c.new, c.direction) for c in ladder.changes]
    assert changes == [
        ("Chloe", "advocate", "supporter", "down"),
        ("Amara", "Supporters", "Advocates", "up"),
        ("Odd", "friend", "enemy", "unknown"),
        ("Zoe", "supporter", "advocate", "up"),
    ]
    assert [(y.year, y.up, y.down) for y in ladder.years] == [(2026, 1, 1), (2025, 1, 0)]
    champions = ladder.tiers[0]
    assert champions.thin and champions.neglected and champions.aiming_here == 1
    steps = {s.person.name: s for s in ladder.upgrades}
    assert names(s.person for s in ladder.upgrades) == ["Zoe", "Leah", "Nick", "Emma"]
    assert steps["Zoe"].kind == "thanks"
    assert steps["Leah"].kind == "ask" and steps["Leah"].date == dt.date(2026, 4, 9)
    assert steps["Nick"].kind == "planned"
    assert steps["Emma"].kind == "first_contact" and "Zoe" in steps["Emma"].detail


def test_next_step_falls_back_to_the_last_kind_of_contact() -> None:
    network = network_of(
        person("A", log="- 2026-10-01 coffee: talked about Rust\n- 2026-10-02 tier: a → b"),
        person(
            "B", log="- 2026-10-01 call: x #got\n- 2026-10-05 call: y #got\n- 2026-11-01 walk: z"
        ),
    )
    a, b = network.by_key["People/A.md"], network.by_key["People/B.md"]
    assert next_step(a, TODAY).action == "another coffee"  # tier: entries are not contact kinds
    assert next_step(b, TODAY).kind == "give_back"


# --- The digest's additions -----------------------------------------------------------------


def test_digest_extras() -> None:
    old = (TODAY - dt.timedelta(days=THANKS_DIGEST_DAYS + 1)).isoformat()
    network = network_of(
        person(
            "Mover",
            "company: Initech\nhistory:\n  - {company: Acme, to: 2026-10-30}",
            log="- 2026-07-01 call: hi",
        ),
        person(
            "Caught",
            "company: Initech\nhistory:\n  - {company: Acme, to: 2026-09-01}",
            log="- 2026-11-01 call: congrats",
        ),
        person("Helped", log="- 2026-11-20 call: an intro #got"),
        person("Stale", log=f"- {old} call: an old favour #got"),
        person("Snoozed", "snooze_until: 2027-01-01", log="- 2026-11-20 call: an intro #got"),
        person("Due", "target_tier: champion", tier="advocate", log="- 2026-09-01 coffee: hi"),
        person("Later", "target_tier: champion", tier="advocate", log="- 2026-11-25 coffee: hi"),
    )
    extras = digest_extras(network)
    assert names(m.person for m in extras.recent_moves) == ["Mover"]
    assert names(o.person for o in extras.thanks_owed) == ["Helped"]
    assert names(s.person for s in extras.upgrade_due) == ["Due"]
    payload = digest_json(network, [])
    assert list(payload)[-3:] == ["diagnostics", "insights", "open_loops"]
    extra = payload["insights"]
    assert list(extra) == ["recent_moves", "thanks_owed", "upgrade_due"]
    assert extra["recent_moves"][0]["from"] == "Acme"
    assert extra["recent_moves"][0]["to"] == "Initech"
    assert extra["upgrade_due"][0]["next_step"]["kind"] == "again"


# --- Routes (vaultnet path) -----------------------------------------------------------------


def _routes_network() -> Network:
    return network_of(
        person(
            "Ann",
            'company: Harbor\nrole: VP Eng\nknows: ["[[Olu]]", David Osei (CTO)]',
            tier="champion",
            log="- 2026-10-29 walk: x",
        ),
        person(
            "Zoe",
            'company: "[[Harbor]]"\nintroduced_by: "[[Ann]]"',
            tier="advocate",
            log="- 2026-10-22 call: x",
        ),
        person(
            "Olu",
            'company: Harbor Inc.\naliases: [Harbor]\nintroduced_by: "[[Zoe]]"',
            tier="advocate",
            log="- 2026-11-06 email: x",
        ),
        person(
            "Bob",
            "history:\n  - {company: Harbor, to: 2020-01-01}",
            tier="advocate",
            log="- 2026-11-18 call: x",
        ),
        person("Kat", 'knows: ["[[Zoe]]"]', tier="supporter", log="- 2026-11-20 call: x"),
        person("Old", "status: archived\ncompany: Harbor", tier="champion"),
    )


def test_routes_to_a_company_rank_by_tier_then_recent_contact() -> None:
    routes = find_routes(_routes_network(), "harbor")
    assert routes.target.kind == "company"
    assert names(r.person for r in routes.routes) == ["Ann", "Bob", "Olu", "Zoe", "Kat", "Old"]
    ann = routes.routes[0]
    assert [r.kind for r in ann.reasons] == ["works_there", "introduced", "knows"]
    kat = routes.routes[4]
    assert kat.chain == ("you", "Kat", "Zoe", "Harbor")
    assert kat.reasons[0].text.startswith("knows Zoe")


def test_routes_to_a_person_and_to_a_name_from_knows() -> None:
    network = _routes_network()
    routes = find_routes(network, "[[Olu]]")
    assert routes.target.kind == "person" and routes.target.name == "Olu"
    assert "Olu" not in names(r.person for r in routes.routes)
    kinds = {r.person.name: [x.kind for x in r.reasons] for r in routes.routes}
    assert kinds["Zoe"] == ["introduced", "colleague"]
    assert kinds["Ann"] == ["knows", "colleague"]
    assert find_routes(network, "Harbor").target.kind == "company"  # a company beats an alias
    osei = find_routes(network, "david osei")
    assert osei.target.kind == "name" and names(r.person for r in osei.routes) == ["Ann"]


def test_no_match_suggests_close_names() -> None:
    with pytest.raises(NoMatch) as raised:
        find_routes(_routes_network(), "Harbr")
    assert raised.value.suggestions[0] == "Harbor"
    assert raised.value.exit_code == 2


def test_routes_output() -> None:
    routes = find_routes(_routes_network(), "Harbor")
    payload = routes_json(routes, TODAY, limit=2)
    assert payload["total"] == 6 and len(payload["routes"]) == 2
    assert payload["routes"][0]["chain"] == ["you", "Ann", "Harbor"]
    text = routes_text(routes, TODAY, limit=2)
    assert text.startswith("Harbor (company · 4 there now, 1 alumni)")
    assert "4 more; --limit 0 shows all." in text


# --- CLI --------------------------------------------------------------------------------------


def test_cli_path_human_and_json(sample_vault: Path) -> None:
    runner = CliRunner()
    args = ["path", "Initech", "--vault", str(sample_vault), "--today", "2026-11-26"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Initech (company")
    assert "you → Bob Marsh → Initech" in result.output
    result = runner.invoke(main, [*args, "--json", "--limit", "0"])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["target"] == {
        "kind": "company",
        "name": "Initech",
        "path": None,
        "page": "Companies/Initech.md",
    }
    assert payload["routes"][0]["name"] == "Ann Lee"  # champion, introduced you to Bob
    assert {r["name"] for r in payload["routes"]} >= {"Bob Marsh", "Diego Alvarez"}


def test_cli_path_no_match_suggests_and_exits_2(sample_vault: Path) -> None:
    runner = CliRunner()
    args = ["path", "Initek", "--vault", str(sample_vault), "--today", "2026-11-26"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "did you mean Initech?" in result.output
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.output[: result.output.rindex("}") + 1])
    assert payload["suggestions"] == ["Initech"]


# --- Golden pages of sample-vault -----------------------------------------------------------


def _sample_pages(vault: Path) -> dict[str, str]:
    config = load_config(vault)
    result = Builder(config).build(BuildRequest(TODAY, Mode.MODEL, stop_early=False))
    assert result.network is not None
    mine = ("Introductions.md", "Companies.md", "Companies/", "Ladder.md", "Reciprocity.md")
    pages = {p.path: p.text for p in render_pages(result.network) if p.path.startswith(mine)}
    extras = digest_json(result.network, [])["insights"]
    pages["digest-additions.json"] = (
        json.dumps(
            {k: extras[k] for k in ("recent_moves", "thanks_owed", "upgrade_due")},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    return pages


def test_golden_insight_pages(sample_vault: Path) -> None:
    pages = _sample_pages(sample_vault)
    if UPDATE:
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, text in pages.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*")
        if p.is_file()
    }
    assert sorted(pages) == sorted(expected), "refresh: VAULTNET_UPDATE_GOLDEN=1 pytest"
    for path, text in pages.items():
        assert text == expected[path], f"{path} differs; refresh: VAULTNET_UPDATE_GOLDEN=1 pytest"


def test_sample_vault_follow_up_buckets_are_as_documented(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    result = Builder(config).build(BuildRequest(TODAY, Mode.MODEL, stop_early=False))
    assert result.network is not None
    digest = result.network.digest
    counts = [
        len(digest.bucket(b))
        for b in ("overdue", "due_soon", "upcoming", "never_contacted", "snoozed")
    ]
    assert counts == [9, 4, 6, 2, 1] and len(digest.birthdays) == 2
    insights = compute_insights(result.network)
    extras = insights.digest_extras
    assert extras.recent_moves and extras.thanks_owed and extras.upgrade_due
    assert insights.reciprocity.taking and insights.reciprocity.giving
    assert insights.reciprocity.open_asks and insights.ladder.changes
    assert insights.introductions.made and insights.companies.moves


def test_a_next_step_hashes_and_compares_by_its_values() -> None:
    """Its hash is computed once and kept; equal steps still hash and compare equal."""
    someone = object()
    step = NextStep(someone, "ask", "follow up on your ask", "the intro", TODAY)  # type: ignore[arg-type]
    same = NextStep(someone, "ask", "follow up on your ask", "the intro", TODAY)  # type: ignore[arg-type]
    other = NextStep(someone, "ask", "follow up on your ask", "the intro", None)  # type: ignore[arg-type]
    assert step == same and hash(step) == hash(same) == hash(step)
    assert step != other and len({step, same, other}) == 2
    assert "_hash" not in repr(step)


def test_the_digest_lists_every_thanks_owed_beyond_the_reciprocity_table(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reciprocity.md shows the first rows of its table; the digest, saved by a build or
    made with no cache, lists every thank-you owed, the same either way."""
    from vaultnet.insights import reciprocity

    monkeypatch.setattr(reciprocity, "MAX_ROWS", 1)
    runner = CliRunner()
    day = ["--today", "2026-11-26"]
    assert runner.invoke(main, ["build", str(sample_vault), *day]).exit_code in (0, 1)
    saved = runner.invoke(main, ["digest", "--format", "json", *day, str(sample_vault)])
    fresh = runner.invoke(
        main, ["digest", "--format", "json", "--no-cache", *day, str(sample_vault)]
    )
    assert saved.stdout == fresh.stdout
    assert len(json.loads(saved.stdout)["insights"]["thanks_owed"]) > 1
