"""Caches and incremental builds never change the output: same pages as a cold build."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vaultnet.config import load_config
from vaultnet.pipeline.build import Builder, BuildRequest, Mode, build_vault
from vaultnet.state.cache import FORMAT, NoteCache, shard_of

DAILY = "Daily/2026-11-24.md"  # a dated note: every build reads its cache file
TODAY = dt.date(2026, 11, 26)


def _pages(vault: Path) -> dict[str, str]:
    root = vault / "Network"
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.md"))
    }


def _cold_pages(vault: Path) -> dict[str, str]:
    result = build_vault(load_config(vault), TODAY, cache=None, write=False)
    from vaultnet.render.render import render_pages

    assert result.network is not None
    return {page.path: page.text for page in render_pages(result.network)}


def test_persistent_cache_gives_the_same_pages(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    first = _pages(sample_vault)
    # A second process: everything comes from the cache (and stops early).
    again = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    assert again.up_to_date
    assert again.write.written == []
    # Forced past the early stop, from the cache only.
    forced = Builder(config, NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY, stop_early=False)
    )
    assert forced.read.parsed == 0
    assert forced.write.written == []
    assert _pages(sample_vault) == first == _cold_pages(sample_vault)


def test_deleting_the_cache_changes_nothing(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    first = _pages(sample_vault)
    shutil.rmtree(sample_vault / ".vaultnet")
    result = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    assert result.write.written == []
    assert _pages(sample_vault) == first


def test_a_corrupt_cache_is_rebuilt(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    first = _pages(sample_vault)
    shards = sorted((sample_vault / ".vaultnet" / "cache").glob("*.pickle"))
    assert len(shards) > 10  # the notes are spread over many files
    daily = sample_vault / ".vaultnet" / "cache" / f"notes-{shard_of(DAILY):02x}.pickle"
    daily.write_bytes(daily.read_bytes()[:100])  # a file every build reads
    (sample_vault / ".vaultnet" / "last-build.json").unlink()
    cache = NoteCache.for_vault(sample_vault)
    result = build_vault(config, TODAY, cache=cache)
    assert cache.problem is not None and "rebuilt" in cache.problem
    assert result.write.written == []
    assert _pages(sample_vault) == first


def test_a_cache_that_would_run_code_is_refused(sample_vault: Path, tmp_path: Path) -> None:
    import os
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    (sample_vault / ".vaultnet" / "cache").mkdir(parents=True, exist_ok=True)
    (sample_vault / ".vaultnet" / "cache" / f"notes-{shard_of(DAILY):02x}.pickle").write_bytes(
        pickle.dumps({"format": FORMAT, "entries": Evil()})
    )
    cache = NoteCache.for_vault(sample_vault)
    build_vault(load_config(sample_vault), TODAY, cache=cache)
    assert not marker.exists()
    assert cache.problem is not None


def test_incremental_builds_match_a_cold_build(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.in_memory())
    builder.build(BuildRequest(TODAY))
    ann = sample_vault / "People" / "Ann Lee.md"
    ann.write_text(
        ann.read_text(encoding="utf-8") + "- 2026-11-25 call: quick check-in\n", encoding="utf-8"
    )
    daily = sample_vault / "Daily" / "2026-11-24.md"
    daily.write_text("Coffee with [[Bob Marsh]] and [[Kat]].\n", encoding="utf-8")
    (sample_vault / "People" / "Tom Beaumont.md").unlink()
    changed = ["People/Ann Lee.md", "Daily/2026-11-24.md", "People/Tom Beaumont.md"]
    builder.build(BuildRequest(TODAY, changed=tuple(changed)))
    assert _pages(sample_vault) == _cold_pages(sample_vault)
    # A rename that changes how links resolve: people linking to Kat must follow.
    kat = sample_vault / "People" / "Katarzyna Nowak.md"
    kat.rename(sample_vault / "People" / "Kasia Nowak.md")
    builder.build(
        BuildRequest(TODAY, changed=("People/Katarzyna Nowak.md", "People/Kasia Nowak.md"))
    )
    assert _pages(sample_vault) == _cold_pages(sample_vault)
    # Another day: everyone's follow-ups move.
    builder.build(BuildRequest(TODAY + dt.timedelta(days=3), changed=()))
    cold = build_vault(config, TODAY + dt.timedelta(days=3), cache=None, write=False)
    again = builder.build(BuildRequest(TODAY + dt.timedelta(days=3), Mode.MODEL, stop_early=False))
    assert again.digest_json_text() == cold.digest_json_text()


def test_progress_is_reported_while_notes_are_parsed(sample_vault: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = build_vault(
        load_config(sample_vault),
        TODAY,
        write=False,
        progress=lambda done, total: calls.append((done, total)),
    )
    total = result.read.parsed
    assert calls and calls[0] == (0, total)
    assert all(t == total and 0 <= d < total for d, t in calls)


def _shard_state(vault: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (vault / ".vaultnet" / "cache").glob("*.pickle")
    }


def test_an_edit_rewrites_only_the_cache_file_holding_its_note(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    before = _shard_state(sample_vault)
    ann = sample_vault / "People" / "Ann Lee.md"
    ann.write_text(ann.read_text(encoding="utf-8") + "- 2026-11-25 call: hi\n", encoding="utf-8")
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    after = _shard_state(sample_vault)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {f"people-{shard_of('People/Ann Lee.md'):02x}.pickle"}
    assert after.keys() == before.keys()
    # The next process reads the edit from the cache, parsing nothing.
    forced = Builder(config, NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY, stop_early=False)
    )
    assert forced.read.parsed == 0


def test_a_deleted_note_leaves_the_cache_and_an_old_cache_file_is_removed(
    sample_vault: Path,
) -> None:
    config = load_config(sample_vault)
    old = sample_vault / ".vaultnet" / "cache.pickle"
    old.parent.mkdir()
    old.write_bytes(b"format 2 cache")
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    assert not old.exists()
    (sample_vault / "People" / "Ann Lee.md").unlink()
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    # A file the build did not read still holds the note (never asked for again): it
    # leaves the file whenever the file is read.
    cache = NoteCache.for_vault(sample_vault)
    cache.retain({p.relative_to(sample_vault).as_posix() for p in sample_vault.rglob("*.md")})
    assert "People/Ann Lee.md" not in cache.entries
    assert "People/Bob Marsh.md" in cache.entries
    cache.save()
    assert "People/Ann Lee.md" not in NoteCache.for_vault(sample_vault).entries


def test_cache_files_of_another_configuration_are_not_used(sample_vault: Path) -> None:
    build_vault(load_config(sample_vault), TODAY, cache=NoteCache.for_vault(sample_vault))
    config = sample_vault / "vaultnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\nlog_headings = ["Journal"]\n')
    changed = load_config(sample_vault)
    result = Builder(changed, NoteCache.for_vault(sample_vault)).build(
        BuildRequest(TODAY, stop_early=False)
    )
    assert result.read.reused == 0 and result.read.parsed > 40


def test_a_cache_file_of_the_wrong_shape_is_rebuilt_not_trusted(sample_vault: Path) -> None:
    import pickle

    config = load_config(sample_vault)
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    first = _pages(sample_vault)
    shard = shard_of("People/Ann Lee.md")
    path = sample_vault / ".vaultnet" / "cache" / f"people-{shard:02x}.pickle"
    payload = pickle.loads(path.read_bytes())
    payload["entries"]["People/Ann Lee.md"] = 5  # a value no build writes
    path.write_bytes(pickle.dumps(payload))
    (sample_vault / ".vaultnet" / "last-build.json").unlink()
    shutil.rmtree(sample_vault / ".vaultnet" / "people")  # no saved people: notes are read
    cache = NoteCache.for_vault(sample_vault)
    result = Builder(config, cache).build(BuildRequest(TODAY, stop_early=False))
    assert result.read.parsed >= 1  # that file's notes were parsed again
    assert result.write.written == [] and _pages(sample_vault) == first
    assert isinstance(NoteCache.for_vault(sample_vault).entries["People/Ann Lee.md"], tuple)


def test_an_unchanged_vault_prints_the_saved_digest(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    built = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    expected = built.digest_json_text()
    again = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault), write=False)
    assert again.up_to_date and again.network is None
    assert again.digest_json_text() == expected
    # Saved by another build (another fingerprint), or damaged: never printed.
    saved = sample_vault / ".vaultnet" / "last-digest.json"
    for text in ("0" * 32 + "\n" + expected, "", "\xff not a digest"):
        saved.write_text(text, encoding="utf-8")
        result = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault), write=False)
        assert not result.up_to_date
        assert result.digest_json_text() == expected
    saved.write_bytes(b"\xff\xfe")
    result = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault), write=False)
    assert not result.up_to_date and result.digest_json_text() == expected
    # Another day is another fingerprint.
    later = build_vault(
        config, TODAY + dt.timedelta(days=1), cache=NoteCache.for_vault(sample_vault), write=False
    )
    assert not later.up_to_date
    assert later.digest_json_text() != expected


def test_a_build_does_not_read_the_saved_digest(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    (sample_vault / ".vaultnet" / "last-digest.json").unlink()
    again = build_vault(config, TODAY, cache=NoteCache.for_vault(sample_vault))
    assert again.up_to_date and again.write.written == []


def test_a_watchers_reads_match_a_fresh_read_through_every_kind_of_change(
    sample_vault: Path,
) -> None:
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.in_memory())
    builder.read()
    people = sample_vault / "People"
    person = "---\ntype: person\nname: {name}\ntier: advocate\n---\n## Log\n- 2026-11-01 call\n"
    steps: list[tuple[str, bytes | None]] = [
        ("People/Ann Lee.md", (people / "Ann Lee.md").read_bytes() + b"- 2026-11-25 met\n"),
        ("People/New Person.md", person.format(name="New Person").encode()),
        ("People/New Person.md", b"---\nname: [unclosed\n---\n"),  # now an error
        ("People/New Person.md", b"\xff\xfe\x00bad"),  # unreadable
        ("People/New Person.md", person.format(name="New Person").encode()),  # fixed
        ("People/Bob Marsh.md", b"---\ngenerated_by: vaultnet\n---\nnot a note now\n"),
        ("People/Bob Marsh.md", person.format(name="Bob Marsh").encode()),  # back again
        ("Ideas.md", person.format(name="Outside").encode()),  # a person outside People
        ("People/Ann Lee.md", None),  # deleted
        ("People/New Person.md", None),
        ("Zz/Last.md", person.format(name="Last").encode()),
    ]
    for path, data in steps:
        target = sample_vault / path
        if data is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        incremental = builder.read(changed=[path])
        fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).read()
        assert incremental.notes == fresh.notes, path
        assert [str(d) for d in incremental.diagnostics] == [str(d) for d in fresh.diagnostics]
        assert incremental.parsed <= 1  # only the file named was looked at
    assert [n.path for n in builder.read(changed=()).notes] == [n.path for n in fresh.notes]


def _orders(network: object) -> dict[str, object]:
    """Everything a network's orders and counts say, with each person's own state."""
    from vaultnet.model.network import BUCKETS, Network

    assert isinstance(network, Network)

    def keys(people: tuple[object, ...]) -> list[str]:
        return [p.key for p in people]  # type: ignore[attr-defined]

    shown = {
        "people": [
            (p.key, p.name, p.tier.name, p.role, p.last_contact, p.followup, p.archived)
            for p in network.people
        ],
        "by_key": sorted(network.by_key),
        "tiers": [
            (
                g.tier.name,
                keys(g.members),
                keys(g.archived),
                g.overdue,
                g.median_days_since_contact,
                keys(g.moving_up),
                keys(g.aiming_higher),
            )
            for g in network.tiers
        ],
        "digest": {name: keys(getattr(network.digest, name)) for name in (*BUCKETS, "birthdays")},
    }
    # Every list holds the network's current person for a key, never an older one.
    for person in (
        *(p for g in network.tiers for p in (*g.members, *g.archived, *g.moving_up)),
        *(p for name in (*BUCKETS, "birthdays") for p in getattr(network.digest, name)),
    ):
        assert network.by_key[person.key] is person
    return shown


def test_a_watchers_networks_match_fresh_ones_when_people_change_in_place(
    sample_vault: Path, monkeypatch: object
) -> None:
    import vaultnet.model.network as network_module

    sorts: list[int] = []
    full = network_module._digest

    def counted(*args: object) -> object:
        sorts.append(1)
        return full(*args)  # type: ignore[arg-type]

    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(network_module, "_digest", counted)
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.in_memory())
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    ann = sample_vault / "People" / "Ann Lee.md"
    original = ann.read_text(encoding="utf-8")
    edits = [  # each from the state the one before left
        ("role only", original.replace("role: VP Engineering", "role: CTO"), True),
        ("a recent contact", original + "\n## Log\n- 2026-11-25 call: caught up\n", True),
        ("role again, no contact", original.replace("role: VP Engineering", "role: CEO"), True),
        (
            "target tier",
            original.replace("tier: champion", "tier: supporter\ntarget_tier: champion"),
            False,
        ),
        ("no target", original.replace("tier: champion", "tier: supporter"), False),
        ("another tier", original.replace("tier: champion", "tier: advocate"), False),
        (
            "archived",
            original.replace("tier: champion", "tier: supporter\nstatus: archived"),
            False,
        ),
        ("back", original, False),
    ]
    for what, text, in_place in edits:
        ann.write_text(text, encoding="utf-8")
        sorts.clear()
        result = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=("People/Ann Lee.md",)))
        assert (not sorts) == in_place, what
        fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
            BuildRequest(TODAY, Mode.MODEL)
        )
        assert _orders(result.network) == _orders(fresh.network), what
    # A daily note mentions two people: both rebuilt, in place or not, still the same.
    daily = sample_vault / "Daily" / "2026-11-24.md"
    daily.write_text("Lunch with [[Ann Lee]] and [[Bob Marsh]].\n", encoding="utf-8")
    result = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=("Daily/2026-11-24.md",)))
    fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
        BuildRequest(TODAY, Mode.MODEL)
    )
    assert _orders(result.network) == _orders(fresh.network)


def test_a_build_that_fails_half_way_leaves_nothing_stale_behind(
    sample_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vaultnet.state.people as people_module

    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.in_memory())
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    ann, bob = sample_vault / "People" / "Ann Lee.md", sample_vault / "People" / "Bob Marsh.md"
    ann.write_text(ann.read_text(encoding="utf-8").replace("VP Engineering", "CTO"))
    bob.write_text(bob.read_text(encoding="utf-8") + "\n- 2026-11-25 call: hello\n")
    real = people_module.make_person
    calls = 0

    def fails_second(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("a bug")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(people_module, "make_person", fails_second)
    with pytest.raises(RuntimeError):
        builder.build(
            BuildRequest(TODAY, Mode.MODEL, changed=("People/Ann Lee.md", "People/Bob Marsh.md"))
        )
    monkeypatch.setattr(people_module, "make_person", real)
    result = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=()))
    fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
        BuildRequest(TODAY, Mode.MODEL)
    )
    assert _orders(result.network) == _orders(fresh.network)
    assert result.network is not None
    assert result.network.by_key["People/Ann Lee.md"].role == "CTO"


def test_a_watchers_model_follows_every_kind_of_note_change(sample_vault: Path) -> None:
    config = load_config(sample_vault)
    builder = Builder(config, NoteCache.in_memory())
    builder.build(BuildRequest(TODAY, Mode.MODEL))
    people = sample_vault / "People"
    person = "---\ntype: person\nname: {name}\ntier: advocate\n---\n## Log\n- 2026-11-01 call\n"
    steps: list[tuple[str, str | None]] = [
        ("People/Ann Lee.md", (people / "Ann Lee.md").read_text() + "- 2026-11-25 met\n"),
        ("Daily/2026-11-22.md", "Lunch with [[Ann Lee]] and [[Bob Marsh]].\n"),  # new dated
        ("Daily/2026-11-22.md", "Lunch with [[Ann Lee]] only.\n"),  # a dated note changed
        ("Ideas.md", "A thought about [[Bob Marsh]].\n"),  # not a person, not dated
        ("Ideas.md", person.format(name="Idea Person")),  # now a person (outside People)
        ("People/New Person.md", person.format(name="New Person")),
        ("People/New Person.md", person.format(name="Renamed Person")),  # a new name
        ("People/New Person.md", None),
        ("People/Bob Marsh.md", (people / "Bob Marsh.md").read_text().replace("\n", "\n", 1)),
    ]
    for path, text in steps:
        target = sample_vault / path
        if text is None:
            target.unlink()
        else:
            target.write_text(text, encoding="utf-8")
        result = builder.build(BuildRequest(TODAY, Mode.MODEL, changed=(path,)))
        fresh = Builder(load_config(sample_vault), NoteCache.in_memory()).build(
            BuildRequest(TODAY, Mode.MODEL)
        )
        assert _orders(result.network) == _orders(fresh.network), path
        assert result.network is not None and fresh.network is not None
        assert result.network.other_notes == fresh.network.other_notes, path
        assert [str(d) for d in result.diagnostics] == [str(d) for d in fresh.diagnostics]


_EARLY_STOP = """
import sys
from vaultnet.cli.main import main

heavy = (
    "vaultnet.source.notes", "vaultnet.model.network", "vaultnet.render.render",
    "jinja2", "yaml", "pickle", "tomllib", "calendar", "difflib", "tempfile",
)
try:
    main(["build", sys.argv[1], "--today", "2026-11-26"], standalone_mode=False)
finally:
    print(" ".join(name for name in heavy if name in sys.modules))
"""


def test_a_build_that_stops_early_imports_only_what_it_needs(sample_vault: Path) -> None:
    (sample_vault / "vaultnet.toml").unlink()  # a vault without a config file
    run = [sys.executable, "-c", _EARLY_STOP, str(sample_vault)]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert "pickle" in first.stdout.splitlines()[-1]  # a real build loads them
    again = subprocess.run(run, capture_output=True, text=True, check=True)
    assert "0 written, 23 unchanged" in again.stdout
    assert again.stdout.splitlines()[-1] == ""


def test_the_fingerprint_follows_every_size_and_time_even_past_2262(sample_vault: Path) -> None:
    builder = Builder(load_config(sample_vault), NoteCache.in_memory())
    builder._scan()
    first = builder._fingerprint(TODAY)
    path = sorted(builder.files)[3]
    source = builder.files[path]
    seen = {first}
    for changed in (
        source._replace(size=source.size + 1),
        source._replace(mtime_ns=source.mtime_ns + 1),
        source._replace(mtime_ns=2**70),  # beyond 64 bits: a file system's odd time
        source._replace(mtime_ns=-(2**70)),
    ):
        builder.files[path] = changed
        seen.add(builder._fingerprint(TODAY))
    assert len(seen) == 5
    builder.files[path] = source
    assert builder._fingerprint(TODAY) == first


# Written by the code before these classes were pickled as calls: what a cache saved then holds.
_LEGACY_VALUES = (
    b"\x80\x05\x95\xac\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x0evaultnet.dates\x94\x8c\x08"
    b"Duration\x94\x93\x94)\x81\x94]\x94(K\x07K\x01ebh\x01\x8c\x08Birthday\x94\x93\x94)\x81"
    b"\x94]\x94(K\x02K\x1dM\xc6\x07ebh\x07)\x81\x94]\x94(K\x0cK\x01Neb\x8c\x0evaultnet.notes"
    b"\x94\x8c\x0cParseOptions\x94\x93\x94)\x81\x94]\x94(\x8c\x03Log\x94\x8c\x0cInteractions"
    b"\x94\x8c\x08Meetings\x94\x87\x94NM\x00\x01ebe."
)


def test_cached_values_round_trip_and_older_cache_files_still_load() -> None:
    import io
    import pickle

    from vaultnet.dates import Birthday, Duration
    from vaultnet.source.notes import ParseOptions
    from vaultnet.state.safepickle import SafeUnpickler

    values = [Duration(7, 1), Birthday(2, 29, 1990), Birthday(12, 1), ParseOptions()]
    data = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"_dataclass" not in data and b"copyreg" not in data  # plain calls
    assert SafeUnpickler(io.BytesIO(data)).load() == values
    assert SafeUnpickler(io.BytesIO(_LEGACY_VALUES)).load() == values


def test_a_cache_naming_a_moved_module_still_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import pickle

    from vaultnet.dates import Duration
    from vaultnet.state import safepickle

    # The same bytes as a cache written when Duration lived in a module of another name.
    data = pickle.dumps(Duration(7, 1)).replace(b"vaultnet.dates", b"vaultnet.spans")
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        safepickle.SafeUnpickler(io.BytesIO(data)).load()
    monkeypatch.setitem(safepickle._FORMER_MODULES, "vaultnet.spans", "vaultnet.dates")
    assert safepickle.SafeUnpickler(io.BytesIO(data)).load() == Duration(7, 1)


def test_a_cache_of_the_previous_format_is_dropped_quietly(sample_vault: Path) -> None:
    import io
    import pickle

    from vaultnet.state.safepickle import SafeUnpickler

    build = [sys.executable, "-m", "vaultnet", "build", str(sample_vault), "--today", "2026-11-26"]
    cold = subprocess.run(build, capture_output=True, text=True)
    first = _pages(sample_vault)
    shards = sorted((sample_vault / ".vaultnet" / "cache").glob("*.pickle"))
    assert shards
    for shard in shards:
        data = shard.read_bytes()
        assert b"vaultnet.source.parsed" in data and b"vaultnet.source.notes" not in data
        # Rewritten as the previous version wrote it: FORMAT 7, classes named by the module
        # that re-exported them (protocol 3 names classes by text lines, so bytes can swap).
        payload = SafeUnpickler(io.BytesIO(shard.read_bytes())).load()
        old = pickle.dumps({**payload, "format": FORMAT - 1}, protocol=3)
        shard.write_bytes(old.replace(b"vaultnet.source.parsed\n", b"vaultnet.source.notes\n"))
    shutil.rmtree(sample_vault / "Network")  # past the early stop
    shutil.rmtree(sample_vault / ".vaultnet" / "people")  # no saved people: notes are read
    again = subprocess.run(build, capture_output=True, text=True)
    assert again.returncode == cold.returncode, again.stderr
    assert "cache" not in again.stderr  # dropped, not reported as unreadable
    assert _pages(sample_vault) == first
    for shard in sorted((sample_vault / ".vaultnet" / "cache").glob("*.pickle")):
        payload = SafeUnpickler(io.BytesIO(shard.read_bytes())).load()
        assert payload["format"] == FORMAT
