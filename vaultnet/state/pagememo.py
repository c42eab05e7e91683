"""Reusing a page from the last render when nothing its templates read has changed.

A watcher renders the same pages again and again, and one edit changes few of them: the
person's tier page, their company's page, the follow-ups. What a template can read is
known from its source: the variables it does not define itself, in it and in every
template it imports, includes or extends (``jinja2.meta``). A page is rendered again only
when one of those values differs from the last render's, its templates changed, or the
environment (the day, the configuration) is another one. A template that names another
template through a variable cannot be followed, so its pages are always rendered.

Values are compared with ``==``. Model values are immutable and compare by value; people
compare by their digest, a key of everything a person is made from (person.Person), so an
unchanged person equals the old one and a changed one is never taken for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jinja2
from jinja2 import meta

_MISSING = object()


class PageMemo:
    """The last body of each page, with the environment and context it was rendered from."""

    def __init__(self) -> None:
        # page path -> (environment, template, shared context, the page's own, text)
        self.pages: dict[
            str, tuple[jinja2.Environment, str, Mapping[str, Any], Mapping[str, Any], str]
        ] = {}
        self.inputs: dict[tuple[jinja2.Environment, str], _Inputs] = {}
        self.reused: set[str] = set()  # the pages the last render reused

    def start(self) -> _Render:
        """Begin a render: template checks and comparisons are then done once per render."""
        self.reused = set()
        return _Render(self)

    def retain(self, paths: set[str]) -> None:
        """Forget pages that were not rendered this time, and environments no page uses
        (a watcher running for days gets a new one every day)."""
        for path in [p for p in self.pages if p not in paths]:
            del self.pages[path]
        used = {id(entry[0]) for entry in self.pages.values()}
        for key in [k for k in self.inputs if id(k[0]) not in used]:
            del self.inputs[key]


# The templates a template reads, each with the name it is loaded by, and the variables they
# use; the variables are None when a template is named through a variable.
_Inputs = tuple[tuple[tuple[str, jinja2.Template], ...], frozenset[str] | None]


class _Render:
    def __init__(self, memo: PageMemo) -> None:
        self.memo = memo
        self.checked: dict[str, frozenset[str] | None] = {}
        self.compared: dict[tuple[int, int], bool] = {}
        self.bases: dict[tuple[str, int, tuple[str, ...]], bool] = {}

    def page(
        self,
        env: jinja2.Environment,
        path: str,
        template: str,
        base: Mapping[str, Any],
        extra: Mapping[str, Any],
        render: Callable[[], str],
    ) -> str:
        """The page's text: the last one when its inputs are unchanged, else ``render()``.

        The page's context is ``base`` (shared by every page of a render) with ``extra``
        and ``page`` (its path) on top. Its front matter must depend on nothing else
        (the day is the environment's). A reused page is the same text object as last
        time: no copy of a megabyte, and the writer compares texts by identity first.
        """
        names = self._names(env, template)
        last = self.memo.pages.get(path)
        if (
            last is not None
            and names is not None
            and last[0] is env
            and last[1] == template
            and self._unchanged(template, names, base, extra, last[2], last[3])
        ):
            text = last[4]
            self.memo.reused.add(path)
        else:
            text = render()
        self.memo.pages[path] = (env, template, base, extra, text)
        return text

    def _unchanged(
        self,
        template: str,
        names: frozenset[str],
        base: Mapping[str, Any],
        extra: Mapping[str, Any],
        last_base: Mapping[str, Any],
        last_extra: Mapping[str, Any],
    ) -> bool:
        """Whether every value the template reads is the same as last time. The shared
        part is compared once per template (the 400 pages of companies share one)."""
        if extra.keys() != last_extra.keys():
            return False
        key = (template, id(last_base), tuple(extra))  # last_base is alive: the memo holds it
        same = self.bases.get(key)
        if same is None:
            same = all(
                self._same(base.get(name, _MISSING), last_base.get(name, _MISSING))
                for name in names
                if name not in extra and name != "page"  # the page's path: the same
            )
            self.bases[key] = same
        return same and all(
            self._same(value, last_extra[name]) for name, value in extra.items() if name in names
        )

    def _names(self, env: jinja2.Environment, template: str) -> frozenset[str] | None:
        """The variables ``template`` reads; None when unknown or its templates changed."""
        if template not in self.checked:
            self.checked[template] = None
            key = (env, template)
            try:
                known = self.memo.inputs.get(key)
                if known is not None and all(env.get_template(n) is t for n, t in known[0]):
                    self.checked[template] = known[1]
                else:  # the first look, or a template changed: render anew this time
                    found = template_inputs(env, template)
                    self.memo.inputs[key] = (found.templates, found.variables)
            except Exception:
                # A template that cannot be loaded or parsed: rendering it reports the error
                # with its file and line, as a build without the memo does.
                self.memo.inputs.pop(key, None)
        return self.checked[template]

    def _same(self, new: object, old: object) -> bool:
        if new is old:
            return True
        key = (id(new), id(old))  # both stay alive while the render runs
        found = self.compared.get(key)
        if found is None:
            try:
                found = bool(new == old)
            except Exception:  # a value that cannot be compared counts as changed
                found = False
            self.compared[key] = found
        return found


class TemplateInputs(NamedTuple):
    """What a template reads: its templates (itself, what it imports, includes or extends),
    each with the name it is loaded by; the variables they use (None when a template is
    named through a variable, which cannot be followed); and a key of their sources."""

    templates: tuple[tuple[str, jinja2.Template], ...]
    variables: frozenset[str] | None
    sources: str


def template_inputs(env: jinja2.Environment, name: str) -> TemplateInputs:
    """What ``name`` reads (see TemplateInputs). Raises what loading or parsing raises."""
    variables: set[str] = set()
    templates: list[tuple[str, jinja2.Template]] = []
    sources = hashlib.blake2b(digest_size=16)
    todo, seen = [name], set()
    known = True
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        template = env.get_template(current)
        templates.append((current, template))
        if template.filename is None:
            known = False
            continue
        source = _source(env, current)
        _add_source(sources, current, source)
        tree = env.parse(source, current, template.filename)
        variables |= meta.find_undeclared_variables(tree)
        for reference in meta.find_referenced_templates(tree):
            if reference is None:
                known = False
            else:
                todo.append(reference)
    found = frozenset(variables) if known else None
    return TemplateInputs(tuple(templates), found, sources.hexdigest())


def sources_key(env: jinja2.Environment, names: tuple[str, ...]) -> str:
    """The key of the sources of the templates ``names`` (in that order) as
    ``template_inputs`` makes it. Raises what loading raises."""
    sources = hashlib.blake2b(digest_size=16)
    for name in names:
        _add_source(sources, name, _source(env, name))
    return sources.hexdigest()


def _source(env: jinja2.Environment, name: str) -> str:
    return env.loader.get_source(env, name)[0] if env.loader else ""


def _add_source(sources: Any, name: str, source: str) -> None:
    sources.update(f"{name}\0{len(source)}\0{source}\0".encode("utf-8", "surrogatepass"))
