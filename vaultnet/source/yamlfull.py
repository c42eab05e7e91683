"""The full YAML 1.2 front matter reader, on PyYAML: what ``yamldata.load_mapping`` falls
back to when ``simpleyaml``'s fast path declines (flow collections, block scalars,
anchors, quoting it does not read, errors).

PyYAML only composes the node tree (libyaml when available); this module turns nodes into
values itself, so that:

- scalars follow YAML 1.2's core schema, as Obsidian reads them: only ``true``/``false`` are
  booleans; ``NO``, ``yes``, ``12:30`` and ``012345`` stay text;
- keys named in ``text_keys`` keep every scalar exactly as written (``+447911123456``);
- no tag ever constructs an object; aliases are expanded only up to a node budget;
- every top-level key carries its line number, and duplicate keys are reported.

It is a module of its own so that PyYAML (about 16 ms to import) is imported only by a
process that meets such front matter: a build after a few edits reads the edited notes
on the fast path, most often all of them.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Any

import yaml

from vaultnet.source.yamlcore import NULL_WORDS, Mapping, YamlError, resolve_plain

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


STR_TAG = "tag:yaml.org,2002:str"
# A plain scalar with no tag: resolved below by YAML 1.2's core schema. Anything tagged
# ``!!str``, and every quoted scalar, stays text.
PLAIN_TAG = "tag:vaultnet,2026:plain"


class _ComposeOnlyLoader(_BaseLoader):
    """Composes nodes without resolving plain scalars: resolution is done below."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return PLAIN_TAG
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


_ComposeOnlyLoader.yaml_implicit_resolvers = {}

SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
MAX_NODES = 20_000
MAX_DEPTH = 64

_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u00ad]")


class _Converter:
    """Turns a composed node tree into plain data within a node budget."""

    def __init__(self) -> None:
        self.nodes = 0

    def value(self, node: yaml.Node, as_text: bool, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(
                f"front matter expands to more than {MAX_NODES} values "
                "(too many YAML aliases?); refused",
                node.start_mark.line,
            )
        if depth > MAX_DEPTH:
            raise YamlError("front matter is nested too deeply", node.start_mark.line)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == STR_TAG:
                return node.value  # quoted, or tagged !!str: text as written
            if node.tag != PLAIN_TAG:
                raise YamlError(f"unsupported YAML tag {node.tag!r}", node.start_mark.line)
            if as_text:
                return None if node.value in NULL_WORDS else node.value
            return resolve_plain(node.value)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ_TAG:
                raise YamlError(f"unsupported YAML tag {node.tag!r}", node.start_mark.line)
            return [self.value(item, as_text, depth + 1) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            if node.tag != MAP_TAG:
                raise YamlError(f"unsupported YAML tag {node.tag!r}", node.start_mark.line)
            result: dict[str, Any] = {}
            for key_node, value_node in self._merged(node):
                key = self.key(key_node)
                result[key] = self.value(value_node, as_text, depth + 1)
            return result
        raise YamlError("unsupported YAML node", node.start_mark.line)  # pragma: no cover

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (STR_TAG, PLAIN_TAG):
            raise YamlError("a key must be plain text", node.start_mark.line)
        return sys.intern(str(node.value))  # as simpleyaml's keys: shared by every note

    def _merged(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """The mapping's pairs with ``<<`` merge keys applied (explicit keys win)."""
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.tag == PLAIN_TAG
                and key_node.value == "<<"
            ):
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise YamlError("a << merge needs a mapping", source.start_mark.line)
                    self.nodes += len(source.value)
                    merged.extend(self._merged(source))
            else:
                pairs.append((key_node, value_node))
        if not merged:
            return pairs
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged if k.value not in explicit] + pairs


def load_full(text: str, text_keys: frozenset[str], first_line: int) -> Mapping:
    """Read front matter with the full YAML reader; line numbers in a YamlError are
    relative to the front matter (0-based), as ``yamldata.load_mapping`` then adds
    ``first_line``."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00"))
        raise YamlError("front matter contains a NUL byte", line)
    try:
        root = yaml.compose(text, Loader=_ComposeOnlyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context_mark is not None and ("end of stream" in problem or "stream end" in problem):
            mark = exc.context_mark  # the quote or bracket left open, not the closing fence
        if exc.context and "mapping values are not allowed" not in problem:
            problem = f"{exc.context}: {problem}"
        if "mapping values are not allowed" in problem:
            problem += " (quote values that contain ': ')"
        raise YamlError(f"YAML error: {problem}", mark.line if mark else 0) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlError("front matter is nested too deeply") from None
    result = Mapping()
    if root is None:
        return result
    if not isinstance(root, yaml.MappingNode) or root.tag != MAP_TAG:
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        raise YamlError(f"front matter must be a mapping of keys to values, not {kind}", 0)
    converter = _Converter()
    seen_plain: dict[str, str] = {}
    for key_node, value_node in converter._merged(root):
        key = converter.key(key_node)
        line = key_node.start_mark.line + first_line
        if key in result.data:
            result.warnings.append(
                (
                    line,
                    f"duplicate key {key!r} (first on line {result.lines[key]}); "
                    "the last value is used",
                )
            )
            result.duplicates.append(key)
        value = converter.value(value_node, key in text_keys, 1)
        if value is None and isinstance(value_node, yaml.ScalarNode) and not value_node.style:
            _warn_comment_value(text, key, line, line - first_line, result)
        result.data[key] = value
        result.lines.setdefault(key, line)
        plain = _INVISIBLE.sub("", unicodedata.normalize("NFKC", key)).strip().lower()
        if plain in seen_plain and seen_plain[plain] != key:
            result.warnings.append(
                (
                    line,
                    f"key {key!r} looks like {seen_plain[plain]!r} "
                    "but differs by invisible characters or case",
                )
            )
        seen_plain.setdefault(plain, key)
    return result


def _warn_comment_value(text: str, key: str, line: int, index: int, result: Mapping) -> None:
    lines = text.split("\n")
    if 0 <= index < len(lines):
        source = lines[index]
        colon = source.find(":")
        rest = source[colon + 1 :] if colon != -1 else ""
        if rest[:1] in (" ", "\t") and rest.strip().startswith("#"):
            value = rest.strip()
            result.warnings.append(
                (
                    line,
                    f"the value of {key!r} starts with '#', which YAML reads as a comment; "
                    f'quote it: {key}: "{value}"',
                )
            )
