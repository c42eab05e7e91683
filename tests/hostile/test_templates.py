"""Templates from someone else's vault (HOSTILE 106-110): a sandbox with bounds.

test_render.py covers the sandbox through the library; here a user template in the vault's
``templates_dir`` goes through ``vaultnet build``: the error names the template (and line),
the exit code is 1, no page is written and nothing is run.
"""

from __future__ import annotations

import time
from importlib.metadata import version
from pathlib import Path

import pytest

from . import GOOD, OUTPUT, TODAY_ARGS, cli, edit, make_vault, person, snapshot, survey

TEMPLATE = ".vaultnet/templates/index.md.j2"


def refused(tmp_path: Path, source: str, toml: str = "") -> str:
    """Build with ``source`` as the index template; it must fail cleanly. Returns stderr."""
    files: dict[str, bytes | str] = {TEMPLATE: source}
    if toml:
        files["vaultnet.toml"] = toml
    vault = make_vault(tmp_path, files)
    before = snapshot(tmp_path)
    result = cli("build", vault, "--no-cache", *TODAY_ARGS)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("vaultnet: error: ")
    assert snapshot(tmp_path) == before  # not one page written
    check = cli("check", vault, "--no-cache", *TODAY_ARGS)  # check renders nothing
    assert check.exit_code == 0 and "1 person," in check.stdout
    return result.stderr


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ people[0].__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
        "{{ today.__class__.__subclasses__() }}",
    ],
)
def test_106_unsafe_templates_are_refused_as_unsafe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.chdir(tmp_path)
    stderr = refused(tmp_path, source)
    assert "unsafe template index.md.j2" in stderr or "is undefined" in stderr
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% for i in range(10**6) %}{% endfor %}", ":1: range() of 1000000 items is above 100000"),
        ("\n{{ 'x' * 10**15 }}", ":2: a repetition of 1 x 1000000000000000 is above 1,000,000"),
        ("{{ [0] * 10**9 }}", ":1: a repetition of 1 x 1000000000 is above 1,000,000"),
        ("{{ 2 ** 100000000 }}", ":1: 2 ** 100000000 is too large a number"),
        ("{{ lipsum(10**9) }}", ":1: 'lipsum' is undefined"),
        # F6: widths, formats and growth that made a 1 GB page and exited 0.
        ("{{ 'x'|center(10**9) }}", ":1: a width of 1,000,000,000 is above 1,000,000"),
        ("{{ 'x'.center(10**9) }}", ":1: a width of 1,000,000,000 is above 1,000,000"),
        ("{{ 'x'.ljust(10**9) }}", ":1: a width of 1,000,000,000 is above 1,000,000"),
        ("{{ 'x'.zfill(10**9) }}", ":1: a width of 1,000,000,000 is above 1,000,000"),
        (
            "{{ '{:>999999999}'.format('x') }}",
            ":1: a width or precision of 999,999,999 is above 1,000,000",
        ),
        (
            "{{ '{:>{}}'.format('x', 10**9) }}",
            ":1: a width or precision of 1,000,000,000 is above 1,000,000",
        ),
        (
            "{{ '{0:.999999999f}'.format(1.5) }}",
            ":1: a width or precision of 999,999,999 is above 1,000,000",
        ),
        ("{{ '%999999999s' % 'x' }}", ":1: a width or precision of 999,999,999 is above"),
        ("{{ '%*s' % (10**9, 'x') }}", ":1: a width or precision of 1,000,000,000 is above"),
        ("{{ '%999999999s'|format('x') }}", ":1: a width or precision of 999,999,999 is above"),
        ("{{ 'x'|indent(10**9, true) }}", ":1: this indent would make 1,000,000,001 char"),
        ("{% set s = 'x' * 10**6 %}\n{{ s.replace('x', s) }}", ":2: this replace would make"),
        ("{% set s = 'x' * 10**6 %}\n{{ s|replace('x', s) }}", ":2: this replace would make"),
        ("{% set s = 'x' * 10**6 %}\n{{ [s, s]|join }}", ":2: this join would make"),
        ("{% set s = 'x' * 10**6 %}\n{{ ''.join([s, s]) }}", ":2: this join would make"),
        ("{% set s = 'x' * 10**6 %}\n{{ ([s] * 1000)|string }}", ":2: a repetition of 1 x 1000"),
        ("{% set s = 'x' * 10**6 %}\n{% set s = s ~ s %}", ":2: joining these with ~ would"),
        ("{% set s = 'x' * 10**6 %}\n{% set s = s + s %}", ":2: joining these would make"),
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(60) %}\n"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            ":2: joining these with ~ would make",
        ),
        ("{{ [1]|batch(10**9, 'x') }}", ":1: batch(1,000,000,000) is above 100,000"),
        ("{{ [1]|slice(10**9) }}", ":1: slice(1,000,000,000) is above 100,000"),
        ("{{ [1]|tojson(indent=10**9) }}", ":1: tojson(indent=1,000,000,000) is above 1,000"),
    ],
    ids=[
        "range-10e6",
        "string-repeat",
        "list-repeat",
        "power",
        "lipsum",
        "center-filter",
        "center-method",
        "ljust",
        "zfill",
        "format-width",
        "format-nested-width",
        "format-precision",
        "percent-width",
        "percent-star",
        "format-filter",
        "indent",
        "replace-method",
        "replace-filter",
        "join-filter",
        "join-method",
        "repeat-of-large-items",
        "tilde-doubling",
        "plus-doubling",
        "namespace-doubling",
        "batch",
        "slice",
        "tojson-indent",
    ],
)
def test_107_oversized_work_is_refused_before_it_runs(
    tmp_path: Path, source: str, message: str
) -> None:
    started = time.perf_counter()
    stderr = refused(tmp_path, source)
    assert time.perf_counter() - started < 5
    assert f"vaultnet: error: {TEMPLATE}{message}" in stderr


@pytest.mark.parametrize(
    ("source", "toml"),
    [
        ("{% for i in range(30) %}{{ 'x' * 1000000 }}{% endfor %}", ""),
        ("{% for i in range(3000) %}{{ 'x' * 1000 }}{% endfor %}", "max_page_kb = 1024\n"),
    ],
    ids=["default-limit", "configured-limit"],
)
def test_107_a_page_above_the_page_limit_is_stopped_as_it_grows(
    tmp_path: Path, source: str, toml: str
) -> None:
    limit = 1024 * 1024 if toml else 20480 * 1024
    stderr = refused(tmp_path, source, toml=toml)
    assert (
        f"vaultnet: error: {TEMPLATE}: makes a page of more than "
        f"{limit:,} characters; stopped (raise max_page_kb if it is meant to)"
    ) in stderr


def test_107_large_but_bounded_work_is_allowed(tmp_path: Path) -> None:
    source = (
        "{{ 'x'|center(1000) }}{{ '{:>20}|{:.3f}'.format('a', 2.5) }}{{ '%5s' % 'b' }}"
        "{{ ('y' * 500000) ~ ('z' * 400000) }}{{ ['a', 'b']|join(', ') }}"
        "{{ 'a b'|replace(' ', '--') }}{{ [1, 2, 3]|batch(2)|list }}{{ 'w'|indent(8, true) }}\n"
        "{% autoescape true %}{{ '<i>' ~ 'x' }}{% endautoescape %}\n"
    )
    vault = make_vault(tmp_path, {TEMPLATE: source})
    result = cli("build", vault, "--no-cache", *TODAY_ARGS)
    assert result.exit_code == 0, result.output
    text = (vault / OUTPUT / "Index.md").read_text(encoding="utf-8")
    assert "a|2.500    b" in text and "a, b" in text and "a--b" in text
    assert "&lt;i&gt;x" in text  # ~ escapes inside autoescape, as Jinja's own join does


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(3000) %}{% for j in range(3000) %}{{ j }}{% endfor %}{% endfor %}",
        "{% for i in range(3000) %}{% for j in range(3000) %}{% for p in people %}"
        "{{ p.name }}{% endfor %}{% endfor %}{% endfor %}",
        "{{ ('x ' * 300000)|wordwrap(3) }}",  # one slow step, checked once it returns
    ],
    ids=["nested-range", "nested-attribute", "one-slow-filter"],
)
def test_107_a_template_that_runs_too_long_is_stopped(tmp_path: Path, source: str) -> None:
    started = time.perf_counter()
    stderr = refused(tmp_path, source, toml="render_timeout_s = 0.05\n")
    assert time.perf_counter() - started < 10
    assert "took longer than 0.05 s to render; stopped (raise render_timeout_s" in stderr


@pytest.mark.parametrize(
    "source",
    [
        "{{ people.append(1) }}",
        "{% set xs = [1] %}{{ xs.append(2) }}",
        "{{ people[0].front_matter.update({'tier': 'x'}) }}",
        "{{ people[0].front_matter.clear() }}",
        "{% set d = {} %}{{ d.__setitem__('a', 1) }}",
    ],
)
def test_108_the_model_cannot_be_changed(tmp_path: Path, source: str) -> None:
    stderr = refused(tmp_path, source)
    assert "unsafe" in stderr or "has no attribute" in stderr


def test_109_a_misspelt_attribute_names_template_and_line(tmp_path: Path) -> None:
    source = "# Index\n{% for person in active %}\n{{ person.nmae }}\n{% endfor %}\n"
    stderr = refused(tmp_path, source)
    assert stderr.startswith(f"vaultnet: error: {TEMPLATE}:3: ")
    assert "has no attribute 'nmae'" in stderr


def test_110_template_names_never_come_from_notes(tmp_path: Path) -> None:
    assert tuple(int(p) for p in version("jinja2").split(".")[:3]) >= (3, 1, 6)
    marker = tmp_path / "PWNED"
    jinja = "{{ 7*7 }}{% set x = cycler.__init__.__globals__ %}"
    files: dict[str, bytes | str] = {
        # A template file whose name is Jinja: never loaded, because no name is asked for.
        ".vaultnet/templates/{{ 7*7 }}.md.j2": "{{ cycler.__init__.__globals__ }}",
        # Notes whose names, titles and values are Jinja: data, never template source.
        "{{ 7*7 }}.md": person(f"role: '{jinja}'", "company: '{% raw %}x'", name="'{{ 7*7 }}'"),
        "Jinja body.md": person("cadence: 7d", name="Jin Ja")
        + f"\n## Log\n- 2026-11-01 {jinja}\n".encode(),
        "vaultnet.toml": '[[tiers]]\nname = "champion"\ntitle = "{{ 7*7 }}"\n'
        '[[tiers]]\nname = "advocate"\ntitle = "{% if %}"\n',
    }
    vault = make_vault(tmp_path, files)
    outcome = survey(vault)
    assert {GOOD, "{{ 7*7 }}", "Jin Ja"} <= outcome.names()
    pages = "".join(p.read_text(encoding="utf-8") for p in (vault / OUTPUT).rglob("*.md"))
    assert "{{ 7*7 }}" in pages and "49" not in pages.replace("2026-W48", "")
    assert "{% raw %}" in pages or "{% if %}" in pages
    assert (vault / OUTPUT / "Tiers" / "{{ 7 7 }}.md").is_file()
    result, changed = edit(vault, "add", "{{ 7*7 }} {% if %}")
    assert result.exit_code == 0, result.output
    [created] = [path for path in changed if path.endswith(".md")]  # in People/
    assert (vault / created).read_text(encoding="utf-8").count("{{ 7*7 }} {% if %}") >= 1
    assert not marker.exists()


@pytest.mark.parametrize("value", ["0", "-5", '"big"', "1.5"])
def test_max_page_kb_must_be_a_positive_whole_number(tmp_path: Path, value: str) -> None:
    vault = make_vault(tmp_path, {"vaultnet.toml": f"max_page_kb = {value}\n"})
    result = cli("build", vault, *TODAY_ARGS)
    assert result.exit_code == 2, result.output
    assert "vaultnet.toml: max_page_kb must be" in result.stderr
