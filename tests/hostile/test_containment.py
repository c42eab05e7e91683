"""Nothing vaultnet writes or reads for its own use lies outside the vault (F5, F6, F8).

Every case puts a link on the way to one of vaultnet's own paths (a folder above the
output folder, ``.vaultnet``, the templates folder or a template) and checks that the
command refuses with a message naming the link, and that nothing outside the vault changed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from . import GOOD, OUTPUT, TODAY, TODAY_ARGS, cli, make_vault, person, snapshot


def test_f5_a_link_above_the_output_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "x"
    outside.mkdir()
    vault = make_vault(tmp_path, {"vaultnet.toml": 'output_dir = "a/Network"\n'})
    os.symlink(outside, vault / "a")
    before = snapshot(tmp_path)
    result = cli("build", vault, *TODAY_ARGS)
    assert result.exit_code == 2, result.output
    assert "vaultnet: error: a: is a symbolic link; output_dir (a/Network) must stay inside" in (
        result.stderr
    )
    assert snapshot(tmp_path) == before
    assert list(outside.iterdir()) == []


def test_f5_a_link_made_above_the_output_folder_after_loading_is_refused(
    tmp_path: Path,
) -> None:
    """The writer looks again on every write (a watcher loads its configuration once)."""
    from vaultnet import build_vault, load_config
    from vaultnet.errors import OutputError

    outside = tmp_path / "x"
    outside.mkdir()
    vault = make_vault(tmp_path, {"vaultnet.toml": 'output_dir = "a/Network"\n'})
    config = load_config(vault)
    os.symlink(outside, vault / "a")
    import datetime as dt

    try:
        build_vault(config, dt.date(2026, 11, 26))
    except OutputError as exc:
        assert "is a symbolic link on the way to the output folder" in str(exc)
        assert exc.path == str(vault / "a")
    else:  # pragma: no cover - the failure this test is for
        raise AssertionError("pages were written through a link")
    assert list(outside.iterdir()) == []


def test_f5_a_linked_state_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "state"
    outside.mkdir()
    vault = make_vault(tmp_path)
    os.symlink(outside, vault / ".vaultnet")
    for command in (("build", vault, *TODAY_ARGS), ("add", "Ann Lee", "--vault", vault)):
        result = cli(*command)
        assert result.exit_code == 2, result.output
        assert ".vaultnet: is a symbolic link; vaultnet's own folder (.vaultnet)" in result.stderr
    assert list(outside.iterdir()) == []
    assert not (vault / OUTPUT).exists() and not (vault / "Ann Lee.md").exists()


def test_f5_a_state_folder_linked_after_loading_is_not_written(tmp_path: Path) -> None:
    from vaultnet.state.cache import NoteCache

    outside = tmp_path / "state"
    outside.mkdir()
    vault = make_vault(tmp_path)
    cache = NoteCache.for_vault(vault)
    os.symlink(outside, vault / ".vaultnet")
    cache.dirty.add(0)
    cache.entries  # noqa: B018 - loads (nothing, through the link)
    cache.save()
    cache.write_record({"fingerprint": "x"})
    cache.write_digest("x", lambda: "{}")
    assert list(outside.iterdir()) == []


def test_f5_saved_rows_are_neither_read_nor_written_through_a_linked_state_folder(
    tmp_path: Path,
) -> None:
    from vaultnet.state.rowstore import RowStore, shard_of

    outside = tmp_path / "state"
    (outside / "rows").mkdir(parents=True)
    digest = "ab" * 16
    day = dt.date.fromisoformat(TODAY)
    planted = RowStore(outside / "rows")
    planted.save({"block": {digest: "planted row\n"}}, [digest], [digest], day)
    assert (outside / "rows" / f"rows-{shard_of(digest):02x}.pickle").exists()
    vault = make_vault(tmp_path)
    os.symlink(outside, vault / ".vaultnet")
    rows = RowStore.for_vault(vault)
    assert rows.load(day) == {}  # nothing read through the link
    rows.save({"block": {digest: "a row\n"}}, [digest], [digest], day)
    assert [p.name for p in (outside / "rows").iterdir()] == [f"rows-{shard_of(digest):02x}.pickle"]
    assert RowStore(outside / "rows").load(day) == {"block": {digest: "planted row\n"}}


def test_f5_saved_people_are_neither_read_nor_written_through_a_linked_state_folder(
    tmp_path: Path,
) -> None:
    from vaultnet.config import load_config
    from vaultnet.state.personstore import PersonStore

    (tmp_path / "source").mkdir()
    (tmp_path / "linked").mkdir()
    source = make_vault(tmp_path / "source")
    assert cli("build", source, *TODAY_ARGS).exit_code in (0, 1)
    saved = PersonStore(source).load(load_config(source))
    assert saved.people and saved.stubs
    outside = tmp_path / "state"
    shutil.copytree(source / ".vaultnet" / "people", outside / "people")
    before = {p.name: p.read_bytes() for p in (outside / "people").iterdir()}
    vault = make_vault(tmp_path / "linked")
    config = load_config(vault)  # checked before .vaultnet became a link
    os.symlink(outside, vault / ".vaultnet")
    store = PersonStore(vault)
    assert store.load(config) == ({}, {}, {}, [])  # nothing read through the link
    people = {path: (entry, "", None, "", ()) for path, entry in saved.people.items()}
    today = dt.date.fromisoformat(TODAY)
    store.save(config, today, "names", list(people), lambda _: people, list(people))
    assert {p.name: p.read_bytes() for p in (outside / "people").iterdir()} == before


def test_f6_a_linked_template_or_templates_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET from outside the vault\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md.j2").write_text("{% include 'secret' %}")
    os.symlink(secret, elsewhere / "secret")
    include = "---\n{% include 'part.md.j2' %}\n"
    cases = {
        "file": (".vaultnet/templates/part.md.j2", secret, ".vaultnet/templates/part.md.j2"),
        "folder": (".vaultnet/templates/sub", elsewhere, ".vaultnet/templates/sub"),
    }
    for kind, (link, target, shown) in cases.items():
        root = tmp_path / kind
        root.mkdir()
        source = include if kind == "file" else "{% include 'sub/x.md.j2' %}"
        vault = make_vault(root, {".vaultnet/templates/index.md.j2": source})
        os.symlink(target, vault / link)
        result = cli("build", vault, "--no-cache", *TODAY_ARGS)
        assert result.exit_code == 1, result.output
        assert f"vaultnet: error: {shown}: is a symbolic link; template " in result.stderr
        assert "never through a link" in result.stderr
        assert not (vault / OUTPUT / "Index.md").exists()
    # The templates folder itself: refused with the configuration.
    vault = make_vault(_folder(tmp_path, "whole"))
    (vault / ".vaultnet").mkdir()
    os.symlink(elsewhere, vault / ".vaultnet" / "templates")
    result = cli("build", vault, *TODAY_ARGS)
    assert result.exit_code == 2
    assert ".vaultnet/templates: is a symbolic link; templates_dir" in result.stderr


def test_f8_add_into_the_output_folder_or_a_skipped_folder_is_refused(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"Network/.keep": ""})
    for folder, reason in (
        ("Network", "is the output folder"),
        ("Network/Tiers", "is the output folder"),
        (".obsidian", "is a folder vaultnet skips"),
    ):
        result = cli("add", "Ann Lee", "--dir", folder, "--vault", vault)
        assert result.exit_code == 2, result.output
        assert f"--dir {folder!r} {reason}" in result.stderr
    assert not list(vault.rglob("Ann Lee.md"))
    limited = make_vault(
        _folder(tmp_path, "limited"), {"vaultnet.toml": 'people_dirs = ["People"]\n'}
    )
    result = cli("add", "Ann Lee", "--dir", "Elsewhere", "--vault", limited)
    assert result.exit_code == 2 and "is outside people_dirs (People)" in result.stderr
    result = cli("add", "Ann Lee", "--dir", "People/Work", "--vault", limited)
    assert result.exit_code == 0, result.output


def test_f8_an_output_folder_among_tool_files_or_templates_is_refused(tmp_path: Path) -> None:
    for toml, message in (
        ('output_dir = ".vaultnet/out"\n', "is inside .vaultnet/, which belongs to a tool"),
        ('output_dir = ".obsidian"\n', "is inside .obsidian/, which belongs to a tool"),
        ('output_dir = "People"\npeople_dirs = ["People"]\n', "contains people_dirs entry"),
        ('output_dir = "T"\ntemplates_dir = "T/x"\n', "and the templates folder 'T/x' overlap"),
    ):
        vault = make_vault(_folder(tmp_path, str(abs(hash(toml)))), {"vaultnet.toml": toml})
        result = cli("build", vault, *TODAY_ARGS)
        assert result.exit_code == 2, (toml, result.output)
        assert message in result.stderr


def test_f8_an_export_never_overwrites_the_configuration_or_tool_files(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {"vaultnet.toml": "horizon_days = 30\n"})
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian" / "app.json").write_text("{}")
    before = snapshot(tmp_path)
    for target, message in (
        (vault / "vaultnet.toml", "over a configuration file"),
        (vault / ".obsidian" / "app.json", "into a tool's folder of the vault"),
        (vault / ".vaultnet" / "people.csv", "into a tool's folder of the vault"),
        (vault / f"{GOOD}.md", "over a Markdown file"),
    ):
        result = cli("export", "csv", "-o", target, "--vault", vault, *TODAY_ARGS)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("vault/.vaultnet")} == {
        k: v for k, v in before.items() if not k.startswith("vault/.vaultnet")
    }
    result = cli("export", "csv", "-o", vault / "people.csv", "--vault", vault, *TODAY_ARGS)
    assert result.exit_code == 0 and (vault / "people.csv").is_file()


def test_f8_a_note_linked_from_outside_is_read_when_allowed(tmp_path: Path) -> None:
    (tmp_path / "Far.md").write_bytes(person(name="Far"))
    vault = make_vault(tmp_path, {"vaultnet.toml": "follow_outside_links = true\n"})
    os.symlink(tmp_path / "Far.md", vault / "Far.md")
    result = cli("digest", vault, "--format", "json", *TODAY_ARGS)
    assert result.exit_code == 0 and '"Far"' in result.stdout


def _folder(root: Path, name: str) -> Path:
    (root / name).mkdir()
    return root / name


def test_f8_notes_in_the_output_folder_are_reported_not_silently_dropped(
    tmp_path: Path,
) -> None:
    files = {
        "vaultnet.toml": 'output_dir = "people"\n',
        "people/Alice.md": person(name="Alice"),
        "people/Deep/Bob.md": person(name="Bob"),
    }
    vault = make_vault(tmp_path, files)
    for _ in range(2):  # the second build stops early: the same warnings, from the record
        result = cli("build", vault, *TODAY_ARGS)
        assert result.exit_code == 0, result.output
        for note in ("people/Alice.md", "people/Deep/Bob.md"):
            assert (
                f"{note}: warning: a note in the output folder, which vaultnet only writes and "
                "never reads: it is left out. Move it out of people/"
            ) in result.stderr
    assert (vault / "people" / "Alice.md").read_bytes() == person(name="Alice")  # kept


def test_a_watchers_writes_keep_reporting_notes_in_the_output_folder(tmp_path: Path) -> None:
    """A watcher looks only at files with events: the notes it knows of stay reported."""
    from vaultnet.pipeline.output import MARK, Page, Written, write_pages

    root = tmp_path / "Network"
    root.mkdir()
    (root / "Mine.md").write_text("my own notes\n")
    written = Written()
    written.events = True
    pages = [Page("Index.md", f"---\n{MARK}\n---\nindex\n")]
    assert write_pages(root, pages, written=written).foreign == ["Mine.md"]
    assert written.trusted is not None
    assert write_pages(root, pages, written=written).foreign == ["Mine.md"]
    (root / "Mine.md").unlink()
    written.touch("Mine.md")
    assert write_pages(root, pages, written=written).foreign == []
    (root / "Other.md").write_text("more\n")
    written.touch("Other.md")
    assert write_pages(root, pages, written=written).foreign == ["Other.md"]


def test_init_does_not_write_through_a_linked_state_folder(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    vault = tmp_path / "vault"
    vault.mkdir()
    os.symlink(outside, vault / ".vaultnet")
    result = cli("init", vault)
    assert result.exit_code == 2, result.output
    assert ".vaultnet: is a symbolic link; vaultnet's own folder" in result.stderr
    assert list(outside.iterdir()) == []


def test_an_export_replaces_only_an_earlier_export_of_its_format(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    mine = tmp_path / "mine.txt"
    mine.write_text("my own list\n")
    for fmt in ("csv", "json", "vcard", "ics"):
        target = tmp_path / f"people.{fmt}"
        for _ in range(2):  # the second run replaces the first one's file
            result = cli("export", fmt, "-o", target, "--vault", vault, *TODAY_ARGS)
            assert result.exit_code == 0, (fmt, result.output)
        result = cli("export", fmt, "-o", mine, "--vault", vault, *TODAY_ARGS)
        assert result.exit_code == 2, result.output
        assert f"mine.txt: exists and is not an earlier vaultnet {fmt} export" in result.stderr
        other = "json" if fmt != "json" else "csv"
        result = cli("export", other, "-o", target, "--vault", vault, *TODAY_ARGS)
        assert result.exit_code == 2 and f"vaultnet {other} export" in result.stderr
    assert mine.read_text() == "my own list\n"
    (tmp_path / "empty.csv").write_text("")
    result = cli("export", "csv", "-o", tmp_path / "empty.csv", "--vault", vault, *TODAY_ARGS)
    assert result.exit_code == 0
