"""Front matter YAML read safely, as plain data, with YAML 1.2 scalars and line numbers.

``load_mapping`` reads plain ``key: value`` front matter with the fast reader
(``simpleyaml``) and anything else with the full one (``yamlfull``, on PyYAML, imported
only then). Both:

- follow YAML 1.2's core schema, as Obsidian reads it: only ``true``/``false`` are
  booleans; ``NO``, ``yes``, ``12:30`` and ``012345`` stay text;
- keep every scalar of the keys named in ``text_keys`` exactly as written
  (``+447911123456``);
- never construct an object from a tag, and expand aliases only up to a node budget;
- give every top-level key its line number, and report duplicate keys.
"""

from __future__ import annotations

# Mapping, resolve_plain and YamlError are part of this module's interface (the note
# editor uses them).
from vaultnet.source.simpleyaml import fast_load
from vaultnet.source.yamlcore import Mapping as Mapping
from vaultnet.source.yamlcore import YamlError as YamlError
from vaultnet.source.yamlcore import resolve_plain as resolve_plain


def load_mapping(
    text: str, text_keys: frozenset[str] = frozenset(), first_line: int = 1
) -> Mapping:
    """Read a front matter block (without its fences) into a Mapping.

    ``first_line`` is the file line of the block's first line; every line number in the
    result and in a YamlError is a 1-based line of the file.

    Raises YamlError for YAML that does not parse, unsupported tags, oversized alias
    expansion, deep nesting, and documents that are not a mapping.
    """
    if "\x00" not in text:
        fast = fast_load(text, text_keys, first_line)
        if fast is not None:
            return fast
    from vaultnet.source.yamlfull import load_full  # PyYAML: only for what needs it

    try:
        return load_full(text, text_keys, first_line)
    except YamlError as exc:
        exc.line += first_line
        raise
